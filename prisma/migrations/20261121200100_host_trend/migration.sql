-- AlterTable
ALTER TABLE "hosts" ADD COLUMN     "trend" JSONB;
