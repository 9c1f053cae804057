import { AGENT_WS_PATH, serverMessageSchema, type ServerMessage } from '@portpressure/protocol';
import WebSocket from 'ws';

/** An agent WebSocket to the API at `url` (http or https), open or refused with the HTTP status. */
export function connect(url: string, headers: Record<string, string>): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + AGENT_WS_PATH, { headers, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** The next server frame, checked against the protocol; rejects when the socket closes first. */
export function nextMessage(socket: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    socket.once('message', (data) => resolve(serverMessageSchema.parse(JSON.parse(data.toString()))));
    socket.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
}
