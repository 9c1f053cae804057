-- DropForeignKey
ALTER TABLE "tuple_samples" DROP CONSTRAINT "tuple_samples_host_id_fkey";

-- DropForeignKey
ALTER TABLE "tuple_samples" DROP CONSTRAINT "tuple_samples_snapshot_id_fkey";
