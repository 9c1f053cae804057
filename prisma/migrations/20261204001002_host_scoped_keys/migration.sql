-- Ready for a distributed PostgreSQL (Citus, distributed by host_id; docs/scaling.md): a
-- host-scoped table carries host_id in its primary key and unique constraints, so each row and
-- each uniqueness check lives on one shard.

-- alert_states: keyed by (host, group key); the group key already names its host.
ALTER TABLE "alert_states" DROP CONSTRAINT "alert_states_pkey";
ALTER TABLE "alert_states" ADD CONSTRAINT "alert_states_pkey" PRIMARY KEY ("host_id", "group_key");
DROP INDEX "alert_states_host_id_idx";

-- host_credentials: keyed by (host, id). The token hash stays indexed for sign-in but is no longer
-- a unique constraint across hosts: it is the SHA-256 of 32 random bytes, so two never meet.
ALTER TABLE "host_credentials" DROP CONSTRAINT "host_credentials_pkey";
ALTER TABLE "host_credentials" ADD CONSTRAINT "host_credentials_pkey" PRIMARY KEY ("host_id", "id");
DROP INDEX "host_credentials_token_hash_key";
CREATE INDEX "host_credentials_token_hash_idx" ON "host_credentials"("token_hash");
DROP INDEX "host_credentials_host_id_idx";
