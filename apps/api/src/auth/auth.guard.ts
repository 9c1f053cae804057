import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiTokenAuth, readBearerToken, setRequestToken } from '../tokens/api-token-auth.ts';
import { setRequestSession } from './auth-request.ts';
import { AuthError } from './auth.errors.ts';
import { AuthService } from './auth.service.ts';
import { PUBLIC_ROUTE } from './public.decorator.ts';
import { readSessionToken, sessionCookie } from './session-cookie.ts';

/**
 * Global guard: every HTTP route needs a live session unless marked @Public(). Every controller
 * lives under /api, so this is the "/api/** needs sign-in" rule; /api/docs is served by Swagger
 * outside Nest's routing and stays public. WebSockets check sessions before the upgrade instead
 * (LiveGateway), and agents use their own credentials. `Authorization: Bearer ppt_…` (an API
 * token) stands in for the session on every route.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    // An Authorization header means a script with an API token: checked instead of the cookie.
    const bearer = readBearerToken(req.headers.authorization);
    if (bearer !== undefined) {
      const principal = await this.tokens.authenticate(bearer, req.method);
      setRequestToken(req, principal);
      setRequestSession(req, {
        userId: principal.userId,
        username: principal.username,
        role: principal.role,
        expiresAt: principal.expiresAt?.toISOString() ?? '',
      });
      return true;
    }
    const session = await this.auth.resolve(readSessionToken(req.headers.cookie));
    if (!session) throw new AuthError('UNAUTHENTICATED', 'sign in first (POST /api/auth/login)');
    if (session.renewed) {
      const res = context.switchToHttp().getResponse<Response>();
      res.append('Set-Cookie', sessionCookie(readSessionToken(req.headers.cookie) ?? '', this.auth.sessionSeconds, req.secure));
    }
    setRequestSession(req, { userId: session.userId, username: session.username, role: session.role, expiresAt: session.expiresAt });
    return true;
  }
}
