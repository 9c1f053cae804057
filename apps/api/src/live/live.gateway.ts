import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { LIVE_SESSION_ENDED, LIVE_WS_PATH } from '@portpressure/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service.ts';
import { readSessionToken } from '../auth/session-cookie.ts';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { isSameOrigin } from '../security/origin-check.ts';
import { LiveService } from './live.service.ts';

/** How often open live sockets are checked against their sessions (expired, signed out elsewhere). */
const SESSION_RECHECK_MS = 15_000;

/** Browser live channel: pushes `host` frames as snapshots are stored. Browsers send nothing. */
@WebSocketGateway({ path: LIVE_WS_PATH, maxPayload: 4096 })
export class LiveGateway implements OnGatewayConnection, OnGatewayInit<WebSocketServer>, OnModuleDestroy {
  private readonly logger = new Logger('Live');
  /** Each open socket's session token: the socket lives only as long as its session. */
  private readonly sockets = new Map<WebSocket, string>();
  private recheck: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly live: LiveService,
    private readonly auth: AuthService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * The session cookie is checked before the upgrade is accepted (ws's verifyClient), so a browser
   * that is not signed in gets a plain HTTP 401 and never an open socket. The gateway decorator
   * takes static options only, hence setting the hook here, where the service instance exists.
   */
  afterInit(server: WebSocketServer): void {
    // Signed out here: close its sockets at once. Signed out on another instance, expired or
    // ended by a password change: found by the periodic check.
    this.stopListening = this.auth.onSessionEnded((token) => this.closeSession(token));
    this.recheck = setInterval(() => void this.recheckSessions(), SESSION_RECHECK_MS);
    this.recheck.unref();
    const publicOrigin = new URL(this.config.alerts.publicUrl).origin;
    server.options.verifyClient = (info, done) => {
      // The cookie alone is not enough: a page on another port of this host is the same site and
      // the browser sends it the cookie. The page's Origin must be the UI's.
      if (!isSameOrigin(info.req, publicOrigin)) return done(false, 403, 'Forbidden: the live channel is only for the Portpressure UI');
      this.auth.resolve(readSessionToken(info.req.headers.cookie)).then(
        (session) => (session ? done(true) : done(false, 401, 'Unauthorized: sign in first')),
        (error: unknown) => {
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          done(false, 503, 'Service Unavailable');
        },
      );
    };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const token = readSessionToken(request.headers.cookie);
    if (token === undefined) return socket.close(LIVE_SESSION_ENDED, 'sign in first');
    const unsubscribe = this.live.subscribe((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    });
    this.sockets.set(socket, token);
    socket.on('close', () => {
      unsubscribe();
      this.sockets.delete(socket);
    });
    socket.on('message', () => socket.close(4405, 'the live channel is receive-only'));
  }

  onModuleDestroy(): void {
    clearInterval(this.recheck);
    this.stopListening?.();
  }

  private closeSession(token: string): void {
    for (const [socket, t] of this.sockets) {
      if (t === token) socket.close(LIVE_SESSION_ENDED, 'signed out');
    }
  }

  private async recheckSessions(): Promise<void> {
    const tokens = new Set(this.sockets.values());
    for (const token of tokens) {
      try {
        if (!(await this.auth.isSignedIn(token))) this.closeSession(token);
      } catch (error) {
        // The database is away: keep the sockets; the next round decides.
        this.logger.warn(`checking live sessions failed: ${String(error)}`);
        return;
      }
    }
  }
}
