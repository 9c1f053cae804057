-- Egress budgets (docs/destinations.md): a host's egress group set explicitly (host-scoped, keyed
-- by host_id), and the per-destination connection limits (fleet-wide, a reference table on Citus).
CREATE TABLE "host_egress_groups" (
    "host_id" UUID NOT NULL,
    "egress_group" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "host_egress_groups_pkey" PRIMARY KEY ("host_id")
);

CREATE TABLE "egress_limits" (
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,
    "connection_limit" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "egress_limits_pkey" PRIMARY KEY ("remote_address","remote_port")
);

ALTER TABLE "host_egress_groups" ADD CONSTRAINT "host_egress_groups_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
