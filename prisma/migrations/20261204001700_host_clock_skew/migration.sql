-- How far ahead (positive) or behind the agent's clock ran, measured by the API when a fresh
-- snapshot arrived; shown on the host page. Written at most once a minute per host.
ALTER TABLE "hosts" ADD COLUMN "clock_skew_ms" INTEGER;
ALTER TABLE "hosts" ADD COLUMN "clock_skew_at" TIMESTAMPTZ(3);
