-- CreateTable
CREATE TABLE "hosts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "agent_version" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "pressure" DOUBLE PRECISION,
    "latest_taken_at" TIMESTAMPTZ(3),
    "summary" JSONB,

    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshots" (
    "id" BIGSERIAL NOT NULL,
    "host_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "range_low" INTEGER NOT NULL,
    "range_high" INTEGER NOT NULL,
    "reserved_ports" TEXT NOT NULL,
    "reserved_in_range" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "bind_owned" INTEGER NOT NULL,
    "usable" INTEGER NOT NULL,
    "host_ports_in_use" INTEGER NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "tuple_count" INTEGER NOT NULL,
    "udp_used" INTEGER NOT NULL,
    "sysctls" JSONB NOT NULL,

    CONSTRAINT "snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tuple_samples" (
    "id" BIGSERIAL NOT NULL,
    "snapshot_id" BIGINT NOT NULL,
    "host_id" UUID NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "protocol" TEXT NOT NULL,
    "local_address" TEXT NOT NULL,
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,
    "used" INTEGER NOT NULL,
    "time_wait" INTEGER NOT NULL,
    "reclaimable" INTEGER NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "states" JSONB NOT NULL,

    CONSTRAINT "tuple_samples_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "hosts_pressure_idx" ON "hosts"("pressure" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "hosts_machine_id_hostname_key" ON "hosts"("machine_id", "hostname");

-- CreateIndex
CREATE INDEX "snapshots_host_id_taken_at_idx" ON "snapshots"("host_id", "taken_at");

-- CreateIndex
CREATE UNIQUE INDEX "snapshots_host_id_seq_key" ON "snapshots"("host_id", "seq");

-- CreateIndex
CREATE INDEX "tuple_samples_snapshot_id_idx" ON "tuple_samples"("snapshot_id");

-- CreateIndex
CREATE INDEX "tuple_samples_host_id_taken_at_idx" ON "tuple_samples"("host_id", "taken_at");

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tuple_samples" ADD CONSTRAINT "tuple_samples_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tuple_samples" ADD CONSTRAINT "tuple_samples_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
