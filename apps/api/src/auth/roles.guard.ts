import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { roleAtLeast, type Role } from '@portpressure/protocol';
import type { Request } from 'express';
import { getRequestSession } from './auth-request.ts';
import { AuthError } from './auth.errors.ts';
import { PUBLIC_ROUTE } from './public.decorator.ts';
import { REQUIRED_ROLE } from './roles.decorator.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The role a request needs: the route's @Roles, else viewer for reads and editor for changes. */
export function requiredRole(declared: Role | undefined, method: string): Role {
  return declared ?? (READ_METHODS.has(method.toUpperCase()) ? 'viewer' : 'editor');
}

/**
 * Global guard registered after AuthGuard (which has put the session on the request): refuses
 * with 403 FORBIDDEN whatever the signed-in user's role does not allow.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const session = getRequestSession(req);
    if (!session) throw new AuthError('UNAUTHENTICATED', 'sign in first (POST /api/auth/login)');
    const needed = requiredRole(this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets), req.method);
    if (!roleAtLeast(session.role, needed)) {
      throw new AuthError('FORBIDDEN', `this needs the ${needed} role; ${session.username} is ${session.role}`);
    }
    return true;
  }
}
