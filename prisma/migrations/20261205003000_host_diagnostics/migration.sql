-- The latest diagnostics per host (issue #15): written by the ingest batch statement.

-- CreateTable
CREATE TABLE "host_diagnostics" (
    "host_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "diagnostics" JSONB NOT NULL,

    CONSTRAINT "host_diagnostics_pkey" PRIMARY KEY ("host_id")
);

-- AddForeignKey
ALTER TABLE "host_diagnostics" ADD CONSTRAINT "host_diagnostics_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
