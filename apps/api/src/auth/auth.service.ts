import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ADMIN_USERNAME, type Role, type SessionInfo } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { AuthError } from './auth.errors.ts';
import { AuthRepository } from './auth.repository.ts';
import { generatePassword, hashPassword, verifyPassword } from './password-hash.ts';
import { PasswordQueue } from './password-queue.ts';

/** Window of the sign-in rate limit: `loginMaxAttempts` per client address per 15 minutes. */
const LOGIN_WINDOW_SECONDS = 15 * 60;
/** A session's expiry moves forward at most this often, so busy pages do not write on every request. */
const RENEW_EVERY_MS = 60 * 60 * 1000;

export interface ResolvedSession extends SessionInfo {
  /** Set when this request moved the expiry forward: the cookie's Max-Age must follow. */
  renewed: boolean;
}

/** The database key of a token: its SHA-256, so the sessions table alone grants nothing. */
function sessionKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  /** Verified against when the user does not exist, so timing does not reveal user names. */
  private decoyHash: Promise<string> | undefined;
  private readonly endedListeners = new Set<(token: string) => void>();
  private readonly passwords: PasswordQueue;

  constructor(
    private readonly repository: AuthRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.passwords = new PasswordQueue(config.security.loginQueue);
  }

  get sessionSeconds(): number {
    return this.config.sessionHours * 3600;
  }

  /** Runs before the server listens: the admin account exists before anyone can try to sign in. */
  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
    await this.repository.deleteExpired(LOGIN_WINDOW_SECONDS);
  }

  /**
   * With PORTPRESSURE_ADMIN_PASSWORD set, the admin password is that one (a changed value replaces
   * the stored hash and ends existing sessions). Without it, the first start generates a password,
   * stores only its hash, and prints it this once; later starts keep it.
   */
  async ensureAdmin(): Promise<void> {
    const configured = this.config.adminPassword;
    const existing = await this.repository.findUser(ADMIN_USERNAME);
    if (configured !== undefined) {
      if (!existing) {
        await this.repository.createUserIfMissing(ADMIN_USERNAME, await hashPassword(configured), 'admin');
      } else if (existing.passwordHash === null || !(await verifyPassword(configured, existing.passwordHash))) {
        await this.repository.replacePassword(existing.id, await hashPassword(configured));
        this.logger.log('admin password changed to the value of PORTPRESSURE_ADMIN_PASSWORD; existing sessions ended');
      }
      return;
    }
    if (existing) return;
    const password = generatePassword();
    // Several instances may start at once on an empty database: only the one whose insert wins
    // prints its password, so the printed password is always the stored one.
    if (await this.repository.createUserIfMissing(ADMIN_USERNAME, await hashPassword(password), 'admin')) {
      this.logger.warn(
        `No PORTPRESSURE_ADMIN_PASSWORD set: generated the admin password (sign in as "${ADMIN_USERNAME}").\n` +
          `    admin password: ${password}\n` +
          '    It is stored hashed and shown only this once. Set PORTPRESSURE_ADMIN_PASSWORD to choose your own.',
      );
    }
  }

  async login(username: string, password: string, clientKey: string): Promise<{ token: string; session: SessionInfo }> {
    // Per address, per user name whatever the address, and for everyone together: a guesser
    // spread over many addresses is limited by the last two (docs/security.md).
    const security = this.config.security;
    await this.limit(`login:${clientKey}`, this.config.loginMaxAttempts, 'from this address');
    await this.limit(`login-user:${username}`, security.loginMaxAttemptsPerUser, `for user "${username}"`);
    await this.limit('login-global', security.loginMaxAttemptsGlobal, 'on this server');
    if (!this.config.passwordLogin) {
      throw new AuthError('PASSWORD_LOGIN_DISABLED', 'password sign-in is turned off; sign in with single sign-on');
    }
    const user = await this.repository.findUser(username);
    // Unknown users, and users who only sign in through single sign-on, are checked against a
    // decoy so the answer takes as long as for a real password.
    const hash = user?.passwordHash ?? (await this.decoy());
    const ok = await this.passwords.run(() => verifyPassword(password, hash));
    if (ok === undefined) {
      throw new AuthError('LOGIN_BUSY', 'too many sign-ins are being checked right now; try again in a few seconds', 2);
    }
    if (!user || !ok) throw new AuthError('INVALID_CREDENTIALS', 'wrong user name or password');
    await this.repository.clearAttempts(`login-user:${username}`);
    await this.repository.clearAttempts(`login:${clientKey}`);
    return this.startSession(user);
  }

  /** Opens a session for a user whose identity is already proven (password or single sign-on). */
  async startSession(user: { id: string; username: string; role: Role }): Promise<{ token: string; session: SessionInfo }> {
    await this.repository.deleteExpired(LOGIN_WINDOW_SECONDS);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.sessionSeconds * 1000);
    await this.repository.createSession(sessionKey(token), user.id, expiresAt);
    return { token, session: { userId: user.id, username: user.username, role: user.role, expiresAt: expiresAt.toISOString() } };
  }

  /** The signed-in user for a cookie token, or null when the token is missing, unknown or expired. */
  async resolve(token: string | undefined, now = Date.now()): Promise<ResolvedSession | null> {
    if (!token) return null;
    const key = sessionKey(token);
    const row = await this.repository.findLiveSession(key);
    if (!row) return null;
    if (now - row.lastSeenAt.getTime() < RENEW_EVERY_MS) {
      return { userId: row.userId, username: row.username, role: row.role, expiresAt: row.expiresAt.toISOString(), renewed: false };
    }
    const expiresAt = new Date(now + this.sessionSeconds * 1000);
    await this.repository.extendSession(key, expiresAt);
    return { userId: row.userId, username: row.username, role: row.role, expiresAt: expiresAt.toISOString(), renewed: true };
  }

  async logout(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.repository.deleteSession(sessionKey(token));
    for (const listener of this.endedListeners) listener(token);
  }

  /** Whether a session token is still signed in, without extending it (an open socket is not activity). */
  async isSignedIn(token: string): Promise<boolean> {
    return (await this.repository.findLiveSession(sessionKey(token))) !== null;
  }

  /** Called with the token of every session signed out on this instance, so open sockets close at once. */
  onSessionEnded(listener: (token: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  private async limit(key: string, max: number, scope: string): Promise<void> {
    const { attempts, windowStart } = await this.repository.countAttempt(key, LOGIN_WINDOW_SECONDS);
    if (attempts <= max) return;
    const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + LOGIN_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
    throw new AuthError('LOGIN_RATE_LIMITED', `too many sign-in attempts ${scope}; try again in ${retryAfter} s`, retryAfter);
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hashPassword(generatePassword());
    return this.decoyHash;
  }
}
