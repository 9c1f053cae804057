-- Incidents keyed by host, like every host-scoped table (docs/scaling.md): primary key
-- (host_id, id), one firing incident per group key per host. The delivery outbox keeps the
-- incident's id without a foreign key (it stays on the coordinator of a distributed database,
-- which cannot reference a distributed table); whoever deletes incidents clears it
-- (host deletion, incident retention), as ON DELETE SET NULL did.

ALTER TABLE "alert_deliveries" DROP CONSTRAINT "alert_deliveries_incident_id_fkey";

ALTER TABLE "alert_incidents" DROP CONSTRAINT "alert_incidents_pkey";
ALTER TABLE "alert_incidents" ADD CONSTRAINT "alert_incidents_pkey" PRIMARY KEY ("host_id", "id");
-- incidents are still found by id alone (acknowledge, silence, the delivery log)
CREATE INDEX "alert_incidents_id_idx" ON "alert_incidents"("id");

DROP INDEX "alert_incidents_open_key_key";
CREATE UNIQUE INDEX "alert_incidents_host_id_open_key_key" ON "alert_incidents"("host_id", "open_key");
