import * as z from 'zod';

/**
 * `POST /api/hosts/:id/sequence-reset`: the host's sequence baseline is back to 0, so its agent
 * stores again whatever it numbers from (a fresh state folder starts at 1, an existing one goes
 * on). Stored history is kept; snapshots dated before `resetAt` no longer clash with new numbers.
 */
export const hostSequenceResetSchema = z.object({
  hostId: z.string(),
  /** The highest stored seq before the reset (what the agent was told to continue after). */
  previousLastSeq: z.number(),
  resetAt: z.iso.datetime(),
  /** Connections of the host on the answering API instance that were closed so they reconnect with the new baseline. */
  connectionsClosed: z.number().int().min(0),
});
export type HostSequenceReset = z.infer<typeof hostSequenceResetSchema>;
