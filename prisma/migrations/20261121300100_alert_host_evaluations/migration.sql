-- CreateTable
CREATE TABLE "alert_host_evaluations" (
    "host_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_host_evaluations_pkey" PRIMARY KEY ("host_id")
);

-- AddForeignKey
ALTER TABLE "alert_host_evaluations" ADD CONSTRAINT "alert_host_evaluations_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
