-- A host's sequence baseline can be reset (by an admin, or by re-enrolling it): last_seq goes back
-- to 0 and this records when, so stored snapshots dated before it are no longer compared with the
-- new sequence numbers (a resend is still recognised by its unique (host_id, taken_at, seq)).
ALTER TABLE "hosts" ADD COLUMN "seq_reset_at" TIMESTAMPTZ(3);
