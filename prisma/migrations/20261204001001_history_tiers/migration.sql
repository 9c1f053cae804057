-- Tiers with retention (apps/api/src/retention): minute rollups partitioned by day like the
-- snapshots, and hour rollups (new) partitioned by month, so that retention drops whole partitions
-- instead of deleting rows. The partition job creates partitions ahead and drops them behind;
-- each table also has a DEFAULT partition so that a row outside every partition is kept, not refused.

CREATE TABLE "host_minutes_next" (
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

    CONSTRAINT "host_minutes_next_pkey" PRIMARY KEY ("host_id","minute")
) PARTITION BY RANGE ("minute");
CREATE TABLE "host_minutes_default" PARTITION OF "host_minutes_next" DEFAULT;

CREATE TABLE "tuple_minutes_next" (
    "host_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "protocol" TEXT NOT NULL,
    "local_address" TEXT NOT NULL,
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "held" INTEGER NOT NULL,

    CONSTRAINT "tuple_minutes_next_pkey" PRIMARY KEY ("host_id","minute","protocol","local_address","remote_address","remote_port")
) PARTITION BY RANGE ("minute");
CREATE TABLE "tuple_minutes_default" PARTITION OF "tuple_minutes_next" DEFAULT;

CREATE TABLE "host_hours" (
    "host_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "held" INTEGER NOT NULL,
    "usable" INTEGER NOT NULL,
    "host_ports_in_use" INTEGER NOT NULL,
    "time_wait" INTEGER NOT NULL,
    "reclaimable" INTEGER NOT NULL,
    "states" JSONB NOT NULL,
    "snapshots" INTEGER NOT NULL,

    CONSTRAINT "host_hours_pkey" PRIMARY KEY ("host_id","hour")
) PARTITION BY RANGE ("hour");
CREATE TABLE "host_hours_default" PARTITION OF "host_hours" DEFAULT;

CREATE TABLE "tuple_hours" (
    "host_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "protocol" TEXT NOT NULL,
    "local_address" TEXT NOT NULL,
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,
    "pressure" DOUBLE PRECISION NOT NULL,
    "held" INTEGER NOT NULL,

    CONSTRAINT "tuple_hours_pkey" PRIMARY KEY ("host_id","hour","protocol","local_address","remote_address","remote_port")
) PARTITION BY RANGE ("hour");
CREATE TABLE "tuple_hours_default" PARTITION OF "tuple_hours" DEFAULT;

-- Day partitions of the minute rollups from their oldest row to two days ahead; month partitions
-- of the hour rollups for this month and the next.
DO $$
DECLARE
  t text;
  d date;
  last date := (now() AT TIME ZONE 'UTC')::date + 2;
  m date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
  FOREACH t IN ARRAY ARRAY['host_minutes', 'tuple_minutes'] LOOP
    EXECUTE format('SELECT coalesce((SELECT min(minute) AT TIME ZONE ''UTC'' FROM %I)::date, %L::date)', t, (now() AT TIME ZONE 'UTC')::date) INTO d;
    WHILE d <= last LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', t || '_p' || to_char(d, 'YYYYMMDD'), t || '_next',
                     (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
      d := d + 1;
    END LOOP;
  END LOOP;
  FOREACH t IN ARRAY ARRAY['host_hours', 'tuple_hours'] LOOP
    FOR i IN 0..1 LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', t || '_p' || to_char(m + make_interval(months => i), 'YYYYMM'), t,
                     ((m + make_interval(months => i))::timestamp AT TIME ZONE 'UTC'), ((m + make_interval(months => i + 1))::timestamp AT TIME ZONE 'UTC'));
    END LOOP;
  END LOOP;
END $$;

INSERT INTO "host_minutes_next" SELECT * FROM "host_minutes";
INSERT INTO "tuple_minutes_next" SELECT * FROM "tuple_minutes";
DROP TABLE "host_minutes";
DROP TABLE "tuple_minutes";
ALTER TABLE "host_minutes_next" RENAME TO "host_minutes";
ALTER TABLE "host_minutes" RENAME CONSTRAINT "host_minutes_next_pkey" TO "host_minutes_pkey";
ALTER TABLE "tuple_minutes_next" RENAME TO "tuple_minutes";
ALTER TABLE "tuple_minutes" RENAME CONSTRAINT "tuple_minutes_next_pkey" TO "tuple_minutes_pkey";

ALTER TABLE "host_minutes" ADD CONSTRAINT "host_minutes_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tuple_minutes" ADD CONSTRAINT "tuple_minutes_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "host_hours" ADD CONSTRAINT "host_hours_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tuple_hours" ADD CONSTRAINT "tuple_hours_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- How far the hour rollups have been computed from the minute rollups (one row per derived tier).
CREATE TABLE "rollup_watermarks" (
    "tier" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rollup_watermarks_pkey" PRIMARY KEY ("tier")
);

-- Host lifecycle: set when a host has been silent longer than PORTPRESSURE_ARCHIVE_AFTER_DAYS,
-- cleared by its next snapshot.
ALTER TABLE "hosts" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
