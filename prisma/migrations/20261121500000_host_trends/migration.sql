-- The trend moves to a table of its own: the history writer locks the rows it merges, and on the
-- hosts row that lock blocked the ingest batches updating the same hosts.

-- CreateTable
CREATE TABLE "host_trends" (
    "host_id" UUID NOT NULL,
    "trend" JSONB NOT NULL,

    CONSTRAINT "host_trends_pkey" PRIMARY KEY ("host_id")
);

-- AddForeignKey
ALTER TABLE "host_trends" ADD CONSTRAINT "host_trends_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep the trends already computed
INSERT INTO "host_trends" ("host_id", "trend") SELECT "id", "trend" FROM "hosts" WHERE "trend" IS NOT NULL;

-- AlterTable
ALTER TABLE "hosts" DROP COLUMN "trend";
