import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'portpressure:public-route';

/**
 * Marks a route that answers without a session (health checks, sign-in). Everything else under
 * /api needs one (AuthGuard); a new controller is private unless it says otherwise.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
