-- AlterTable
ALTER TABLE "hosts" ADD COLUMN     "dropped_snapshots" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "host_credentials" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "host_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "host_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollment_tokens" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrollment_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshot_gaps" (
    "host_id" UUID NOT NULL,
    "from_seq" BIGINT NOT NULL,
    "to_seq" BIGINT NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "snapshot_gaps_pkey" PRIMARY KEY ("host_id","from_seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "host_credentials_token_hash_key" ON "host_credentials"("token_hash");

-- CreateIndex
CREATE INDEX "host_credentials_host_id_idx" ON "host_credentials"("host_id");

-- AddForeignKey
ALTER TABLE "host_credentials" ADD CONSTRAINT "host_credentials_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshot_gaps" ADD CONSTRAINT "snapshot_gaps_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
