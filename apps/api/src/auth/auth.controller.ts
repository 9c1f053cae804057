import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { loginRequestSchema, sessionInfoSchema, type SessionInfo } from '@portpressure/protocol';
import type { Request, Response } from 'express';
import { AppError } from '../common/app-error.ts';
import { ApiEndpoint, errorRef, schemaRef } from '../docs/openapi.ts';
import { getRequestSession } from './auth-request.ts';
import { AuthError } from './auth.errors.ts';
import { AuthService } from './auth.service.ts';
import { Public } from './public.decorator.ts';
import { clearedSessionCookie, readSessionToken, sessionCookie } from './session-cookie.ts';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in',
    description: 'Checks the password and sets the httpOnly session cookie. Limited per client address (429 with Retry-After).',
  })
  @ApiBody({ schema: schemaRef('LoginRequest', loginRequestSchema, 'input') })
  @ApiOkResponse({
    description: 'Signed in; the Set-Cookie header carries the session.',
    schema: schemaRef('SessionInfo', sessionInfoSchema),
  })
  @ApiResponse({ status: 400, description: 'Body is not JSON of the documented shape', schema: errorRef })
  @ApiResponse({ status: 401, description: 'Wrong user name or password', schema: errorRef })
  @ApiResponse({ status: 429, description: 'Too many attempts from this address', schema: errorRef })
  async login(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionInfo> {
    const parsed = loginRequestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', `send JSON {"password": "…"}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    try {
      const { token, session } = await this.auth.login(parsed.data.username, parsed.data.password, req.ip ?? 'unknown');
      res.append('Set-Cookie', sessionCookie(token, this.auth.sessionSeconds, req.secure));
      return session;
    } catch (error) {
      if (error instanceof AuthError && error.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out', description: 'Ends the session of the cookie (if any) and clears the cookie.' })
  @ApiNoContentResponse({ description: 'Signed out' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(readSessionToken(req.headers.cookie));
    res.append('Set-Cookie', clearedSessionCookie(req.secure));
  }

  @Get('me')
  @ApiCookieAuth('session')
  @ApiEndpoint({
    summary: 'Who is signed in',
    description: 'The session of the cookie; 401 when there is none.',
    ok: schemaRef('SessionInfo', sessionInfoSchema),
    errors: [[401, 'Not signed in']],
  })
  me(@Req() req: Request): SessionInfo {
    const session = getRequestSession(req);
    if (!session) throw new AuthError('UNAUTHENTICATED', 'sign in first (POST /api/auth/login)');
    return session;
  }
}
