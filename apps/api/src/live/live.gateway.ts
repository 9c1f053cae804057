import { Inject, Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { LIVE_WS_PATH } from '@portpressure/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service.ts';
import { readSessionToken } from '../auth/session-cookie.ts';
import { LiveService } from './live.service.ts';

/** Browser live channel: pushes `host` frames as snapshots are stored. Browsers send nothing. */
@WebSocketGateway({ path: LIVE_WS_PATH, maxPayload: 4096 })
export class LiveGateway implements OnGatewayConnection, OnGatewayInit<WebSocketServer> {
  private readonly logger = new Logger('Live');

  constructor(
    @Inject(LiveService) private readonly live: LiveService,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  /**
   * The session cookie is checked before the upgrade is accepted (ws's verifyClient), so a browser
   * that is not signed in gets a plain HTTP 401 and never an open socket. The gateway decorator
   * takes static options only, hence setting the hook here, where the service instance exists.
   */
  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info, done) => {
      this.auth.resolve(readSessionToken(info.req.headers.cookie)).then(
        (session) => (session ? done(true) : done(false, 401, 'Unauthorized: sign in first')),
        (error: unknown) => {
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          done(false, 503, 'Service Unavailable');
        },
      );
    };
  }

  handleConnection(socket: WebSocket): void {
    const unsubscribe = this.live.subscribe((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    });
    socket.on('close', unsubscribe);
    socket.on('message', () => socket.close(4405, 'the live channel is receive-only'));
  }
}
