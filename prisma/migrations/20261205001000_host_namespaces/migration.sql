-- Every network namespace of a host (containers, pods, ip netns) reported by version 2 agents
-- (docs/namespaces.md). The host's own namespace stays in hosts and snapshots as before.
--
-- host_namespaces: one row per namespace, numbered per host (ns_no, what REST calls its id). A
-- namespace is its inode and when it was first seen: the kernel reuses inodes, so an inode that
-- comes back after its namespace was marked gone is a new row with its own history.

CREATE TABLE "host_namespaces" (
    "host_id" UUID NOT NULL,
    "ns_no" INTEGER NOT NULL,
    "inode" BIGINT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "gone_at" TIMESTAMPTZ(3),
    "name" TEXT,
    "pod" JSONB,
    "containers" JSONB NOT NULL DEFAULT '[]',
    "label" TEXT NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "latest_seq" BIGINT NOT NULL,
    "summary" JSONB NOT NULL,

    CONSTRAINT "host_namespaces_pkey" PRIMARY KEY ("host_id","ns_no")
);
CREATE UNIQUE INDEX "host_namespaces_identity_key" ON "host_namespaces"("host_id", "inode", "first_seen_at");
ALTER TABLE "host_namespaces" ADD CONSTRAINT "host_namespaces_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One report of one namespace, compact like snapshots (the host's tuple dictionary numbers its
-- tuples) and partitioned by day on taken_at like them, under the raw tier's retention.
CREATE TABLE "namespace_snapshots" (
    "host_id" UUID NOT NULL,
    "ns_no" INTEGER NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "seq" BIGINT NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "usable" INTEGER NOT NULL,
    "host_ports_in_use" INTEGER NOT NULL,
    "report" BYTEA NOT NULL,

    CONSTRAINT "namespace_snapshots_pkey" PRIMARY KEY ("host_id","ns_no","taken_at","seq")
) PARTITION BY RANGE ("taken_at");
ALTER TABLE "namespace_snapshots" ADD CONSTRAINT "namespace_snapshots_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "namespace_snapshots_default" PARTITION OF "namespace_snapshots" DEFAULT;
DO $$
DECLARE
  d date := (now() AT TIME ZONE 'UTC')::date;
  last date := (now() AT TIME ZONE 'UTC')::date + 2;
BEGIN
  WHILE d <= last LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "namespace_snapshots" FOR VALUES FROM (%L) TO (%L)',
                   'namespace_snapshots_p' || to_char(d, 'YYYYMMDD'), (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
    d := d + 1;
  END LOOP;
END $$;

-- The fleet ranks a host by its worst namespace: the worst one other than the host's own, kept on
-- the host's row like its summary (protocol FleetWorstNamespace plus its figures), null when none.
ALTER TABLE "hosts" ADD COLUMN "worst_namespace" JSONB;

-- An incident about a namespace other than the host's own names it (inode and label, e.g.
-- "pod shop/cart-7d9f"); its group key holds the inode, so each namespace fires on its own.
ALTER TABLE "alert_incidents" ADD COLUMN "namespace" JSONB;
