import { z } from 'zod';
import { AppError } from '../common/app-error.ts';

export class HostsError extends AppError<'HOST_NOT_FOUND' | 'INVALID_HOST_ID'> {}

const hostIdSchema = z.uuid();

/** A host id in a URL is a UUID, or the request is refused with INVALID_HOST_ID (400) before any query. */
export function checkHostId(id: string): void {
  if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id.slice(0, 64)}" is not a host id`);
}
