import { z } from 'zod';

// The pieces the API's environment schema (config.ts, security-config.ts, team-config.ts) is made of.

/** A whole number from `min` to `max`, written as text in the environment. */
export const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An optional variable where empty means "not set". */
export const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
