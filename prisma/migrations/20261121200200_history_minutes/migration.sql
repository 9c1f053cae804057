-- CreateTable
CREATE TABLE "host_minutes" (
    "host_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "held" INTEGER NOT NULL,
    "usable" INTEGER NOT NULL,
    "host_ports_in_use" INTEGER NOT NULL,
    "time_wait" INTEGER NOT NULL,
    "reclaimable" INTEGER NOT NULL,
    "states" JSONB NOT NULL,
    "snapshots" INTEGER NOT NULL,

    CONSTRAINT "host_minutes_pkey" PRIMARY KEY ("host_id","minute")
);

-- CreateTable
CREATE TABLE "tuple_minutes" (
    "host_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "protocol" TEXT NOT NULL,
    "local_address" TEXT NOT NULL,
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "held" INTEGER NOT NULL,

    CONSTRAINT "tuple_minutes_pkey" PRIMARY KEY ("host_id","minute","protocol","local_address","remote_address","remote_port")
);

-- AddForeignKey
ALTER TABLE "host_minutes" ADD CONSTRAINT "host_minutes_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tuple_minutes" ADD CONSTRAINT "tuple_minutes_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
