import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Role, SessionInfo } from '@portpressure/protocol';
import * as client from 'openid-client';
import { AuditService } from '../../audit/audit.service.ts';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import type { OidcConfig } from '../../config/team-config.ts';
import { UsersRepository, type UserAccountRow } from '../../users/users.repository.ts';
import { toUser } from '../../users/users.service.ts';
import { AuthError } from '../auth.errors.ts';
import { AuthService } from '../auth.service.ts';
import { groupsOf, roleFromGroups, usernameFrom } from './oidc-claims.ts';
import { OidcRepository } from './oidc.repository.ts';

/** How long a browser has between leaving for the identity provider and coming back. */
export const OIDC_LOGIN_SECONDS = 600;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Plain http is for an identity provider on this machine (tests, a local dev provider) only. */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname) || url.hostname.startsWith('127.');
}

export interface StartedOidcLogin {
  /** Where to send the browser: the provider's authorization endpoint with state, nonce and PKCE challenge. */
  authorizationUrl: string;
  /** Random value for the browser-binding cookie; only its hash is stored. */
  browserToken: string;
}

/**
 * OpenID Connect sign-in (authorization code flow with PKCE), through openid-client: it checks the
 * ID token's signature, issuer, audience, expiry and nonce, and the state. The attempt (state,
 * nonce, verifier) lives in PostgreSQL so any API instance can finish it, and is bound to the
 * browser that started it by a cookie, so a callback URL opened elsewhere signs nobody in.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger('SingleSignOn');
  private discovered: Promise<client.Configuration> | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly logins: OidcRepository,
    private readonly users: UsersRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  get enabled(): boolean {
    return this.config.oidc !== undefined;
  }

  async start(): Promise<StartedOidcLogin> {
    const oidc = this.settings();
    const configuration = await this.configuration(oidc);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const browserToken = randomBytes(32).toString('base64url');
    await this.logins.save({
      state,
      nonce,
      codeVerifier,
      browserHash: sha256(browserToken),
      expiresAt: new Date(Date.now() + OIDC_LOGIN_SECONDS * 1000),
    });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: oidc.redirectUri,
      scope: oidc.scopes,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { authorizationUrl: url.href, browserToken };
  }

  /**
   * Finishes a sign-in from the provider's redirect. Refuses an unknown, reused or expired state,
   * a callback in another browser, a provider error, and any ID token check that fails (nonce
   * included). Creates the user on first sign-in.
   */
  async finish(query: Record<string, unknown>, browserToken: string | undefined): Promise<{ token: string; session: SessionInfo }> {
    const oidc = this.settings();
    const state = typeof query.state === 'string' ? query.state : '';
    const pending = state === '' ? null : await this.logins.take(state);
    if (pending === null || pending.expiresAt.getTime() < Date.now()) {
      throw new AuthError('SSO_FAILED', 'this sign-in link is unknown, used or expired; start again');
    }
    const presented = Buffer.from(sha256(browserToken ?? ''));
    if (browserToken === undefined || !timingSafeEqual(presented, Buffer.from(pending.browserHash))) {
      throw new AuthError('SSO_FAILED', 'this sign-in was started in another browser; start again here');
    }
    if (typeof query.error === 'string') {
      throw new AuthError(
        'SSO_FAILED',
        `the identity provider refused: ${query.error}${typeof query.error_description === 'string' ? ` (${query.error_description})` : ''}`,
      );
    }
    const configuration = await this.configuration(oidc);
    // The callback URL rebuilt from the configured redirect URI, never from the request's Host header.
    const callbackUrl = new URL(oidc.redirectUri);
    for (const [key, value] of Object.entries(query)) if (typeof value === 'string') callbackUrl.searchParams.set(key, value);
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (idClaims === undefined) throw new Error('no ID token');
      claims = { ...idClaims };
      // Providers put profile and group claims in the userinfo answer rather than the ID token.
      const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims };
    } catch (error) {
      // openid-client's message is generic; its cause names the failing check (the nonce, the audience…)
      const cause: unknown = error instanceof Error ? error.cause : undefined;
      const detail = cause instanceof Error && cause.message !== '' ? `: ${cause.message}` : '';
      const reason = `${error instanceof Error ? error.message : String(error)}${detail}`;
      this.logger.warn(`single sign-on refused: ${reason}`);
      throw new AuthError('SSO_FAILED', `single sign-on failed: ${reason}`);
    }
    const user = await this.userFor(oidc, claims);
    return this.auth.startSession(user);
  }

  private async userFor(oidc: OidcConfig, claims: Record<string, unknown>): Promise<{ id: string; username: string; role: Role }> {
    const subject = `${oidc.issuer.href} ${String(claims.sub)}`;
    const groups = groupsOf(claims, oidc.groupsClaim);
    const role = roleFromGroups(groups, oidc);
    if (role === null) throw new AuthError('SSO_FAILED', 'your account is in no group that may use Portpressure');
    const existing = await this.users.findByOidcSubject(subject);
    if (existing !== null) return this.syncRole(oidc, existing, role);
    // Never attaches to a local account of the same name: that would let whoever controls the
    // provider's user names take over local accounts. A taken name gets a suffix instead.
    const base = usernameFrom(claims, oidc.usernameClaim);
    for (let n = 0; n < 20; n++) {
      const username = n === 0 ? base : `${base}-${n + 1}`;
      const id = await this.users.create(username, role, null, subject);
      if (id !== null) {
        const created = await this.users.findById(id);
        await this.audit.record({
          actorId: id,
          actorName: username,
          action: 'sso-create',
          entityType: 'user',
          entityId: id,
          before: null,
          after: created && toUser(created),
        });
        this.logger.log(`created ${username} (${role}) on first single sign-on`);
        return { id, username, role };
      }
      const raced = await this.users.findByOidcSubject(subject);
      if (raced !== null) return this.syncRole(oidc, raced, role);
    }
    throw new AuthError('SSO_FAILED', `no free user name for ${base}`);
  }

  /** With groups mapped to roles, the provider decides the role at each sign-in (never leaving no admin). */
  private async syncRole(oidc: OidcConfig, user: UserAccountRow, role: Role): Promise<{ id: string; username: string; role: Role }> {
    if (oidc.roleMap.length === 0 || user.role === role) return { id: user.id, username: user.username, role: user.role };
    const result = await this.users.changeRoleOrDelete(user.id, role);
    if (result !== 'ok') return { id: user.id, username: user.username, role: user.role };
    await this.audit.record({
      actorId: user.id,
      actorName: user.username,
      action: 'sso-role-change',
      entityType: 'user',
      entityId: user.id,
      before: toUser(user),
      after: { ...toUser(user), role },
    });
    return { id: user.id, username: user.username, role };
  }

  private settings(): OidcConfig {
    if (this.config.oidc === undefined) throw new AuthError('SSO_NOT_CONFIGURED', 'single sign-on is not configured');
    return this.config.oidc;
  }

  /** Discovery once; a failed one is retried at the next sign-in instead of being cached. */
  private configuration(oidc: OidcConfig): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        oidc.issuer,
        oidc.clientId,
        undefined,
        client.ClientSecretPost(oidc.clientSecret),
        oidc.issuer.protocol === 'http:' && isLoopback(oidc.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.discovered = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(`OpenID Connect discovery of ${oidc.issuer.href} failed: ${reason}`);
        throw new AuthError('SSO_FAILED', `the identity provider could not be reached: ${reason}`);
      });
    return this.discovered;
  }
}
