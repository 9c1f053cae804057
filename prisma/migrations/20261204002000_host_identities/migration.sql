-- Enrollment finds a host by its identity (machine id, hostname). That lookup moves to a table of
-- its own, so that hosts, distributed by id on Citus (docs/scaling.md), has no unique constraint
-- across hosts. host_identities is small and becomes a reference table; it has no foreign key to
-- hosts (a reference table cannot point into a distributed one): deleting a host removes its row.
CREATE TABLE "host_identities" (
    "machine_id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "host_id" UUID NOT NULL,

    CONSTRAINT "host_identities_pkey" PRIMARY KEY ("machine_id","hostname")
);

CREATE UNIQUE INDEX "host_identities_host_id_key" ON "host_identities"("host_id");

INSERT INTO "host_identities" ("machine_id", "hostname", "host_id")
SELECT "machine_id", "hostname", "id" FROM "hosts";

DROP INDEX "hosts_machine_id_hostname_key";
