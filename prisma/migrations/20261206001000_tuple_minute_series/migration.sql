-- The minute series of one tuple as one contiguous range, read index-only: a long span's history
-- reads its top tuples' minute rows through this index (history.repository.ts,
-- HOUR_RANKED_TOP_TUPLES) instead of every minute row of the host in the window and its heap row.
-- pressure and held are key columns rather than INCLUDE ones so that schema.prisma states the index
-- as it is; nothing looks rows up by them.
CREATE INDEX "tuple_minutes_series_idx" ON "tuple_minutes"("host_id", "protocol", "local_address", "remote_address", "remote_port", "minute", "pressure", "held");
