import * as z from 'zod';

/** `GET /api/hosts/:id/clock`: how the host's agent clock compares with the API's. */
export const hostClockSchema = z.object({
  hostId: z.string(),
  /**
   * The agent's takenAt minus the API's receive time of its latest fresh snapshot, in seconds
   * (positive: the agent's clock is ahead). Null before one was measured. Snapshots more than
   * MAX_CLOCK_SKEW_MS ahead are stored at the receive time instead.
   */
  skewSeconds: z.number().nullable(),
  /** When it was measured (ISO 8601), null before. */
  measuredAt: z.string().nullable(),
  /** Whether the skew is beyond the tolerance, so the host's timestamps are being corrected. */
  corrected: z.boolean(),
});
export type HostClock = z.infer<typeof hostClockSchema>;
