import {
  AGENT_WS_PATH,
  ENROLLMENT_TOKEN_HEADER,
  PROTOCOL_VERSION,
  serverMessageSchema,
  type Labels,
  type ServerMessage,
} from '@portpressure/protocol';
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

/**
 * A simulated agent's start: enrolls `host` with the enrollment token through the real exchange,
 * then connects with the credential it got and says hello; resolves with the open socket and the
 * server's frame rate limit from its welcome.
 */
export async function enrollAndHello(
  url: string,
  enrollmentToken: string,
  host: { machineId: string; hostname: string; labels: Labels },
): Promise<{ socket: WebSocket; maxFramesPerSecond: number }> {
  const intro = { protocolVersion: PROTOCOL_VERSION, agentVersion: 'bench', host };
  const enrolling = await connect(url, { [ENROLLMENT_TOKEN_HEADER]: enrollmentToken });
  const reply = nextMessage(enrolling);
  enrolling.send(JSON.stringify({ type: 'enroll', ...intro }));
  const enrolled = await reply;
  if (enrolled.type !== 'enrolled') throw new Error(`enrollment answered ${JSON.stringify(enrolled)}`);
  enrolling.close();
  const socket = await connect(url, { authorization: `Bearer ${enrolled.credential}` });
  const welcome = nextMessage(socket);
  socket.send(JSON.stringify({ type: 'hello', ...intro }));
  const w = await welcome;
  if (w.type !== 'welcome') throw new Error(`hello answered ${JSON.stringify(w)}`);
  return { socket, maxFramesPerSecond: w.maxFramesPerSecond };
}
