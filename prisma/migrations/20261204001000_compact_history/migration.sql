-- Compact history (apps/api/src/history/snapshot-codec.ts). A snapshot is one row: the figures
-- history buckets in SQL (pressure, usable, host ports in use) as columns and the rest of the
-- report, tuples included, packed in `report`. A tuple's identity is numbered once per host in
-- host_tuples. The row-per-tuple table tuple_samples (~9.5 KB per 50-tuple snapshot with its
-- indexes) goes, and so does the snapshot id that only it used.
--
-- snapshots is partitioned by day on taken_at (declarative partitioning, no extension): retention
-- drops whole days (apps/api/src/retention). Partitioned tables need the partition key in every
-- unique constraint, so the key is (host_id, taken_at, seq): a resent snapshot carries the same
-- taken_at, so it still conflicts and is stored once; the key also serves "a host over a span".

CREATE TABLE "host_tuples" (
    "host_id" UUID NOT NULL,
    "tuple_no" INTEGER NOT NULL,
    "protocol" TEXT NOT NULL,
    "local_address" TEXT NOT NULL,
    "remote_address" TEXT NOT NULL,
    "remote_port" INTEGER NOT NULL,

    CONSTRAINT "host_tuples_pkey" PRIMARY KEY ("host_id","tuple_no")
);
CREATE UNIQUE INDEX "host_tuples_tuple_key" ON "host_tuples"("host_id", "protocol", "local_address", "remote_address", "remote_port");
ALTER TABLE "host_tuples" ADD CONSTRAINT "host_tuples_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "snapshots_compact" (
    "host_id" UUID NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "seq" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pressure" DOUBLE PRECISION NOT NULL,
    "usable" INTEGER NOT NULL,
    "host_ports_in_use" INTEGER NOT NULL,
    "report" BYTEA NOT NULL,

    CONSTRAINT "snapshots_compact_pkey" PRIMARY KEY ("host_id","taken_at","seq")
) PARTITION BY RANGE ("taken_at");

-- Rows outside every day partition (an agent clock far off) land here rather than being refused.
CREATE TABLE "snapshots_default" PARTITION OF "snapshots_compact" DEFAULT;

-- One partition per UTC day from the oldest stored snapshot to two days ahead; the partition job
-- keeps creating them ahead from then on.
DO $$
DECLARE
  d date := coalesce((SELECT min("taken_at") AT TIME ZONE 'UTC' FROM "snapshots")::date, (now() AT TIME ZONE 'UTC')::date);
  last date := (now() AT TIME ZONE 'UTC')::date + 2;
BEGIN
  WHILE d <= last LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "snapshots_compact" FOR VALUES FROM (%L) TO (%L)',
                   'snapshots_p' || to_char(d, 'YYYYMMDD'), (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
    d := d + 1;
  END LOOP;
END $$;

-- The codec's varint, for bringing the stored history across (dropped below).
CREATE FUNCTION "pp_varint"(n bigint) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  out bytea := ''::bytea;
BEGIN
  LOOP
    IF n < 128 THEN
      RETURN out || set_byte('\x00'::bytea, 0, n::int);
    END IF;
    out := out || set_byte('\x00'::bytea, 0, (n % 128)::int + 128);
    n := n / 128;
  END LOOP;
END $$;

-- Every tuple a host reported, numbered per host.
INSERT INTO "host_tuples" ("host_id", "tuple_no", "protocol", "local_address", "remote_address", "remote_port")
SELECT "host_id", (row_number() OVER (PARTITION BY "host_id" ORDER BY "protocol", "local_address", "remote_address", "remote_port") - 1)::int,
       "protocol", "local_address", "remote_address", "remote_port"
FROM (SELECT DISTINCT s."host_id", t."protocol", t."local_address", t."remote_address", t."remote_port"
      FROM "tuple_samples" t JOIN "snapshots" s ON s."id" = t."snapshot_id") d;

-- Each snapshot encoded exactly as snapshot-codec.ts encodes it (layout version 1).
INSERT INTO "snapshots_compact" ("host_id", "taken_at", "seq", "received_at", "pressure", "usable", "host_ports_in_use", "report")
SELECT s."host_id", s."taken_at", s."seq", s."received_at", s."pressure", s."usable", s."host_ports_in_use",
       '\x01'::bytea
       || pp_varint(CASE s."source" WHEN 'netlink' THEN 0 ELSE 1 END)
       || pp_varint(s."range_low") || pp_varint(s."range_high") || pp_varint(s."reserved_in_range") || pp_varint(s."bind_owned")
       || pp_varint(s."tuple_count") || pp_varint(s."udp_used")
       || pp_varint((s."sysctls"->>'tcpTwReuse')::bigint)
       || pp_varint(coalesce((s."sysctls"->>'tcpTwReuseDelayMs')::bigint + 1, 0))
       || pp_varint((s."sysctls"->>'tcpTimestamps')::bigint)
       || pp_varint((s."sysctls"->>'tcpFinTimeout')::bigint)
       || pp_varint((s."sysctls"->>'tcpMaxTwBuckets')::bigint)
       || pp_varint(octet_length(s."reserved_ports")) || convert_to(s."reserved_ports", 'SQL_ASCII')
       || coalesce(t."tuples", pp_varint(0))
FROM "snapshots" s
LEFT JOIN LATERAL (
  SELECT pp_varint(count(*)) || string_agg(
           pp_varint(d."tuple_no") || pp_varint(x."used") || pp_varint(x."time_wait") || pp_varint(x."reclaimable")
           || pp_varint(f."flags")
           || coalesce((SELECT string_agg(pp_varint((x."states"->>st.name)::bigint), ''::bytea ORDER BY st.i)
                        FROM unnest(ARRAY['ESTABLISHED','SYN_SENT','SYN_RECV','FIN_WAIT1','FIN_WAIT2','TIME_WAIT','CLOSE',
                                          'CLOSE_WAIT','LAST_ACK','LISTEN','CLOSING']) WITH ORDINALITY AS st(name, i)
                        WHERE x."states" ? st.name), ''::bytea)
           || CASE WHEN f."explicit" THEN float8send(x."pressure") ELSE ''::bytea END,
           ''::bytea ORDER BY x."ordinal") AS "tuples"
  FROM "tuple_samples" x
  JOIN "host_tuples" d ON d."host_id" = s."host_id" AND d."protocol" = x."protocol" AND d."local_address" = x."local_address"
                      AND d."remote_address" = x."remote_address" AND d."remote_port" = x."remote_port"
  CROSS JOIN LATERAL (
    SELECT e."explicit",
           (SELECT coalesce(sum(1 << (st.i - 1)::int), 0)
            FROM unnest(ARRAY['ESTABLISHED','SYN_SENT','SYN_RECV','FIN_WAIT1','FIN_WAIT2','TIME_WAIT','CLOSE',
                              'CLOSE_WAIT','LAST_ACK','LISTEN','CLOSING']) WITH ORDINALITY AS st(name, i)
            WHERE x."states" ? st.name) + CASE WHEN e."explicit" THEN 2048 ELSE 0 END AS "flags"
    FROM (SELECT x."pressure" IS DISTINCT FROM
                 CASE WHEN s."usable" <= 0 THEN 1::float8
                      ELSE least(1::float8, greatest(0::float8, (x."used" - x."reclaimable")::float8 / s."usable")) END AS "explicit") e
  ) f
  WHERE x."snapshot_id" = s."id"
) t ON true;

DROP FUNCTION "pp_varint"(bigint);
DROP TABLE "tuple_samples";
DROP TABLE "snapshots";

ALTER TABLE "snapshots_compact" RENAME TO "snapshots";
ALTER TABLE "snapshots" RENAME CONSTRAINT "snapshots_compact_pkey" TO "snapshots_pkey";
ALTER INDEX IF EXISTS "snapshots_compact_pkey" RENAME TO "snapshots_pkey";
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
