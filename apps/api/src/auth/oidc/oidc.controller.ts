import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { authMethodsSchema, type AuthMethods } from '@portpressure/protocol';
import type { Request, Response } from 'express';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { ApiEndpoint, schemaRef } from '../../docs/openapi.ts';
import { AuthError } from '../auth.errors.ts';
import { AuthService } from '../auth.service.ts';
import { Public } from '../public.decorator.ts';
import { sessionCookie } from '../session-cookie.ts';
import { OIDC_LOGIN_SECONDS, OidcService } from './oidc.service.ts';

const BROWSER_COOKIE = 'portpressure_oidc';
const COOKIE_PATH = '/api/auth/oidc';

/**
 * Lax, not Strict like the session cookie: it must come back on the identity provider's redirect,
 * a top-level navigation from another site. It is scoped to the callback's path and grants nothing
 * by itself.
 */
function browserCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${BROWSER_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

function readBrowserCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === BROWSER_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[\w-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

@ApiTags('auth')
@Controller('api/auth')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly auth: AuthService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get('methods')
  @Public()
  @ApiEndpoint({
    summary: 'How one can sign in',
    description: 'Whether password sign-in is on, and the single sign-on button if configured.',
    ok: schemaRef('AuthMethods', authMethodsSchema),
  })
  methods(): AuthMethods {
    return { password: this.config.passwordLogin, sso: this.config.oidc === undefined ? null : { label: this.config.oidc.label } };
  }

  // Browser redirects, not API calls: left out of the OpenAPI document (README, "Single sign-on").
  @Get('oidc/login')
  @Public()
  @ApiExcludeEndpoint()
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { authorizationUrl, browserToken } = await this.oidc.start();
    res.append('Set-Cookie', browserCookie(browserToken, OIDC_LOGIN_SECONDS, req.secure));
    res.redirect(302, authorizationUrl);
  }

  /** Where the identity provider sends the browser back: signs in and goes to the UI, or to the sign-in page with the reason. */
  @Get('oidc/callback')
  @Public()
  @ApiExcludeEndpoint()
  async callback(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.append('Set-Cookie', browserCookie('', 0, req.secure));
    try {
      const { token } = await this.oidc.finish(query, readBrowserCookie(req.headers.cookie));
      res.append('Set-Cookie', sessionCookie(token, this.auth.sessionSeconds, req.secure));
      res.redirect(302, '/');
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      res.redirect(302, `/?ssoError=${encodeURIComponent(error.message)}`);
    }
  }
}
