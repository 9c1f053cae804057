import { Inject } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { LIVE_WS_PATH } from '@portpressure/protocol';
import type { WebSocket } from 'ws';
import { LiveService } from './live.service.ts';

/** Browser live channel: pushes `host` frames as snapshots are stored. Browsers send nothing. */
@WebSocketGateway({ path: LIVE_WS_PATH, maxPayload: 4096 })
export class LiveGateway implements OnGatewayConnection {
  constructor(@Inject(LiveService) private readonly live: LiveService) {}

  handleConnection(socket: WebSocket): void {
    const unsubscribe = this.live.subscribe((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    });
    socket.on('close', unsubscribe);
    socket.on('message', () => socket.close(4405, 'the live channel is receive-only'));
  }
}
