import { SetMetadata } from '@nestjs/common';
import type { Role } from '@portpressure/protocol';

export const REQUIRED_ROLE = 'portpressure:required-role';

/**
 * The least role a route (or every route of a controller) needs. Without it, RolesGuard asks for
 * `viewer` on reads (GET, HEAD) and `editor` on every other method, so a new mutating route is
 * closed to viewers even when nobody remembered to say so.
 */
export const Roles = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);
