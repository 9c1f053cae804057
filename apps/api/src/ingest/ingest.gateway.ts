import { Inject, Logger } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import {
  AGENT_ERROR_CODES,
  AGENT_WS_PATH,
  MAX_AGENT_FRAME_BYTES,
  type AgentErrorCode,
  type ServerMessage,
} from '@portpressure/protocol';
import type { RawData, WebSocket } from 'ws';
import { parseAgentFrame } from './agent-frames.ts';
import { IngestError } from './ingest.errors.ts';
import { IngestService, type AgentSession } from './ingest.service.ts';

/**
 * Agent ingest on the API's HTTP port. Frames of one connection are handled strictly in order
 * (a promise chain), so acks go out in the order snapshots arrived.
 */
@WebSocketGateway({ path: AGENT_WS_PATH, maxPayload: MAX_AGENT_FRAME_BYTES })
export class IngestGateway implements OnGatewayConnection {
  private readonly logger = new Logger('Ingest');

  constructor(@Inject(IngestService) private readonly ingest: IngestService) {}

  handleConnection(socket: WebSocket): void {
    let session: AgentSession | undefined;
    let queue: Promise<void> = Promise.resolve();

    const send = (message: ServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const refuse = (code: AgentErrorCode, message: string, fatal: boolean, seq?: number) => {
      send({ type: 'error', code, message, ...(seq === undefined ? {} : { seq }) });
      if (fatal) socket.close(AGENT_ERROR_CODES[code], message.slice(0, 120));
    };

    const handle = async (data: RawData, isBinary: boolean): Promise<void> => {
      if (isBinary) return refuse('BINARY_FRAME', 'binary frames are not accepted; send JSON text', true);
      const message = parseAgentFrame(data.toString());
      if (message.type === 'hello') {
        if (session) throw new IngestError('INVALID_FRAME', 'hello was already received on this connection');
        const result = await this.ingest.hello(message);
        session = result.session;
        return send(result.welcome);
      }
      if (!session) throw new IngestError('HELLO_REQUIRED', 'send a hello frame before snapshots', true);
      await this.ingest.ingest(session, message);
      send({ type: 'ack', seq: message.seq });
    };

    socket.on('message', (data, isBinary) => {
      queue = queue
        .then(() => (socket.readyState === socket.OPEN ? handle(data, isBinary) : undefined))
        .catch((error: unknown) => {
          if (error instanceof IngestError) return refuse(error.code, error.message, error.fatal);
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          refuse('INTERNAL', 'internal error while storing the frame', false);
        });
    });
  }
}
