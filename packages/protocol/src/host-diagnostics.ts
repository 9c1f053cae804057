import * as z from 'zod';
import { diagnosticsSchema } from './diagnostics.ts';
import { isoTimeSchema } from './wire-primitives.ts';

/**
 * `GET /api/hosts/:id/diagnostics`: the diagnostics of the newest snapshot of the host that carried
 * any. All three fields are null when the host never sent diagnostics (an agent that does not
 * diagnose): "not measured", never zero.
 */
export const hostDiagnosticsSchema = z.object({
  hostId: z.uuid(),
  /** Sequence number and agent time of the snapshot the diagnostics came with. */
  seq: z.number().int().min(1).nullable(),
  takenAt: isoTimeSchema.nullable(),
  diagnostics: diagnosticsSchema.nullable(),
});
export type HostDiagnostics = z.infer<typeof hostDiagnosticsSchema>;
