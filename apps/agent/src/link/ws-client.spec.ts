import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { poll } from '../../../../test/support/wait.ts';
import { WsClient } from './ws-client.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface Frame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** A hand-written server side: it answers the upgrade as told and decodes the client's frames. */
class RawServer {
  readonly server: Server;
  socket: Socket | undefined;
  request = '';
  readonly frames: Frame[] = [];
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  constructor(answer: (key: string) => string | null) {
    this.server = createServer((socket) => {
      this.socket = socket;
      let head = '';
      const onHead = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onHead);
        this.request = head.slice(0, end);
        const key = /^sec-websocket-key: (.+)$/im.exec(this.request)?.[1] ?? '';
        const response = answer(key);
        if (response !== null) socket.write(response);
        socket.on('data', (data: Buffer) => this.onFrames(data));
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) this.onFrames(rest);
      };
      socket.on('data', onHead);
      socket.on('error', () => undefined);
    });
  }

  static accepting(): RawServer {
    return new RawServer(
      (key) =>
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${createHash('sha1')
          .update(key + GUID)
          .digest('base64')}\r\n\r\n`,
    );
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/path?x=1`;
  }

  /** Waits until the client has sent `count` frames. */
  async framesReceived(count: number): Promise<Frame[]> {
    while (this.frames.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.frames;
  }

  private onFrames(data: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, data]);
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) break;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const mask = masked ? b.subarray(offset, offset + 4) : Buffer.alloc(4);
      if (masked) offset += 4;
      if (b.length < offset + length) break;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      this.frames.push({ fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, masked, payload });
      this.buffered = b.subarray(offset + length);
    }
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A server frame (unmasked). */
function frame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header =
    data.length > 0xffff
      ? Buffer.from([0, 127, 0, 0, 0, 0, 0, 0, 0, 0])
      : data.length > 125
        ? Buffer.from([0, 126, 0, 0])
        : Buffer.from([0, data.length]);
  if (data.length > 0xffff) header.writeUInt32BE(data.length, 6);
  else if (data.length > 125) header.writeUInt16BE(data.length, 2);
  header[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([header, data]);
}

function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function closed(client: WsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

describe('WsClient against a hand-written server', () => {
  it('sends the upgrade with its headers and masks every frame it sends', async () => {
    const raw = RawServer.accepting();
    servers.push(raw.server);
    const client = new WsClient(await raw.listen(), { headers: { authorization: 'Bearer abc', 'x-version': '2' } });
    client.on('error', () => undefined);
    await once(client, 'open');
    expect(raw.request).toMatch(/^GET \/path\?x=1 HTTP\/1\.1\r\n/);
    expect(raw.request).toMatch(/^Host: 127\.0\.0\.1:\d+$/m);
    expect(raw.request).toMatch(/^authorization: Bearer abc$/m);
    expect(raw.request).toMatch(/^x-version: 2$/m);
    expect(raw.request).toMatch(/^Sec-WebSocket-Version: 13$/m);
    expect(raw.request).not.toMatch(/Sec-WebSocket-Extensions/i);
    const big = 'x'.repeat(70_000);
    const middle = 'é'.repeat(100);
    client.send('hello');
    client.send(middle);
    client.send(big);
    client.ping(Buffer.from('p'));
    const frames = await raw.framesReceived(4);
    expect(frames.map((f) => [f.fin, f.opcode, f.masked])).toEqual([
      [true, 1, true],
      [true, 1, true],
      [true, 1, true],
      [true, 9, true],
    ]);
    expect(frames[0]!.payload.toString()).toBe('hello');
    expect(frames[1]!.payload.toString()).toBe(middle);
    expect(frames[2]!.payload.toString()).toBe(big);
    expect(frames[3]!.payload.toString()).toBe('p');
    client.terminate();
    expect(await closed(client)).toEqual({ code: 1006, reason: '' });
  });

  it('joins fragmented messages, answers pings between fragments, and reports pongs', async () => {
    const raw = RawServer.accepting();
    servers.push(raw.server);
    const client = new WsClient(await raw.listen());
    await once(client, 'open');
    const messages: string[] = [];
    client.on('message', (data: Buffer, binary: boolean) => messages.push(`${binary ? 'b' : 't'}:${data.toString()}`));
    const pongs: string[] = [];
    client.on('pong', (data: Buffer) => pongs.push(data.toString()));
    const bytes = Buffer.concat([
      frame(1, 'frag', false),
      frame(9, 'are you there'),
      frame(0, 'men', false),
      frame(0, 'ted'),
      frame(2, Buffer.from('bin')),
      frame(10, 'pong!'),
      frame(1, 'y'.repeat(300)),
    ]);
    // One byte at a time: every frame is split across reads.
    for (const byte of bytes) raw.socket!.write(Buffer.from([byte]));
    await raw.framesReceived(1);
    await poll(() => messages).toEqual(['t:fragmented', 'b:bin', `t:${'y'.repeat(300)}`]);
    expect(pongs).toEqual(['pong!']);
    expect(raw.frames[0]).toMatchObject({ opcode: 10, masked: true });
    expect(raw.frames[0]!.payload.toString()).toBe('are you there');
    client.terminate();
    await closed(client);
  });

  /** An open client on a raw server that sends `payload` as a close frame; resolves with the client's answer. */
  async function serverCloses(payload: Buffer) {
    const raw = RawServer.accepting();
    servers.push(raw.server);
    const client = new WsClient(await raw.listen());
    await once(client, 'open');
    const done = closed(client);
    raw.socket!.write(frame(8, payload));
    const [echo] = await raw.framesReceived(1);
    raw.socket!.end();
    return { client, echo: echo!, done };
  }

  it('completes the closing handshake the server starts, reporting its code and reason', async () => {
    const { client, echo, done } = await serverCloses(closePayload(4001, 'overloaded'));
    expect(echo.opcode).toBe(8);
    expect(echo.payload.readUInt16BE(0)).toBe(4001);
    expect(await done).toEqual({ code: 4001, reason: 'overloaded' });
    expect(client.readyState).toBe(WsClient.CLOSED);
  });

  it('reports 1005 for a close frame without a code', async () => {
    const { echo, done } = await serverCloses(Buffer.alloc(0));
    expect(echo.payload.length).toBe(0);
    expect(await done).toEqual({ code: 1005, reason: '' });
  });

  it('closes with a code and reason when asked, and the server closes after its answer', async () => {
    const raw = RawServer.accepting();
    servers.push(raw.server);
    const client = new WsClient(await raw.listen());
    await once(client, 'open');
    const done = closed(client);
    client.close(1000, 'agent stopping');
    expect(client.readyState).toBe(WsClient.CLOSING);
    const [sent] = await raw.framesReceived(1);
    expect(sent!.opcode).toBe(8);
    expect(sent!.payload.readUInt16BE(0)).toBe(1000);
    expect(sent!.payload.subarray(2).toString()).toBe('agent stopping');
    raw.socket!.end(frame(8, closePayload(1000)));
    expect(await done).toEqual({ code: 1000, reason: '' });
    expect(() => new WsClient('http://example.com')).toThrow(SyntaxError);
  });

  it('fails on protocol errors: a masked server frame, invalid UTF-8, a fragmented control frame', async () => {
    for (const bad of [
      Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]),
      frame(1, Buffer.from([0xff, 0xfe])),
      frame(9, 'x', false),
      frame(0, 'orphan'),
      Buffer.from([0xc1, 0x01, 0x41]), // RSV1
    ]) {
      const raw = RawServer.accepting();
      servers.push(raw.server);
      const client = new WsClient(await raw.listen());
      await once(client, 'open');
      const errors: string[] = [];
      client.on('error', (e: Error) => errors.push(e.message));
      const messages: unknown[] = [];
      client.on('message', (m) => messages.push(m));
      const done = closed(client);
      raw.socket!.write(bad);
      expect(await done).toEqual({ code: 1006, reason: '' });
      expect(errors).toHaveLength(1);
      expect(messages).toEqual([]);
    }
  });

  it('refuses a message over maxPayload', async () => {
    const raw = RawServer.accepting();
    servers.push(raw.server);
    const client = new WsClient(await raw.listen(), { maxPayload: 1000 });
    await once(client, 'open');
    const errors: string[] = [];
    client.on('error', (e: Error) => errors.push(e.message));
    const done = closed(client);
    raw.socket!.write(Buffer.concat([frame(1, 'a'.repeat(600), false), frame(0, 'b'.repeat(600))]));
    await done;
    expect(errors).toEqual(['message too big']);
  });

  it('hands a refused upgrade its status and body, then closes with 1006', async () => {
    const body = 'enrollment token refused';
    const raw = new RawServer(
      () => `HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    servers.push(raw.server);
    const client = new WsClient(await raw.listen());
    const refused = once(client, 'unexpected-response');
    const done = closed(client);
    expect(await refused).toEqual([401, body]);
    expect(await done).toEqual({ code: 1006, reason: '' });
  });

  it('rejects a wrong Sec-WebSocket-Accept and times out a silent server', async () => {
    const wrong = new RawServer(
      () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n',
    );
    servers.push(wrong.server);
    const client = new WsClient(await wrong.listen());
    const [error] = (await once(client, 'error')) as [Error];
    expect(error.message).toBe('Invalid Sec-WebSocket-Accept header');
    await closed(client);

    const silent = new RawServer(() => null);
    servers.push(silent.server);
    const slow = new WsClient(await silent.listen(), { handshakeTimeout: 100 });
    const [timeout] = (await once(slow, 'error')) as [Error];
    expect(timeout.message).toBe('Opening handshake has timed out');
    expect((await closed(slow)).code).toBe(1006);
  });

  it('reports a refused connection as an error, then close', async () => {
    const client = new WsClient('ws://127.0.0.1:9/x');
    const [error] = (await once(client, 'error')) as [Error & { code?: string }];
    expect(error.code).toBe('ECONNREFUSED');
    expect((await closed(client)).code).toBe(1006);
  });
});

describe('WsClient against the ws server (as the API runs it)', () => {
  it('exchanges text, pings and close codes, and exposes its buffered amount for backpressure', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(wss);
    await once(wss, 'listening');
    let headers: Record<string, string | string[] | undefined> = {};
    wss.on('connection', (ws, req) => {
      headers = req.headers;
      ws.on('message', (data, binary) => {
        if (data.toString() === 'bye') ws.close(4002, 'done');
        else ws.send(data, { binary, fin: true });
      });
      ws.on('ping', () => ws.send('pinged'));
    });
    const client = new WsClient(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/agent`, { headers: { authorization: 'Bearer t' } });
    await once(client, 'open');
    expect(headers.authorization).toBe('Bearer t');
    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    const pong = once(client, 'pong');
    client.ping();
    await pong;
    const big = JSON.stringify({ text: 'z'.repeat(200_000) });
    expect(typeof client.send(big)).toBe('boolean');
    expect(client.bufferedAmount).toBeGreaterThanOrEqual(0);
    client.send('small');
    await poll(() => received).toEqual(['pinged', big, 'small']);
    const done = closed(client);
    client.send('bye');
    expect(await done).toEqual({ code: 4002, reason: 'done' });
  });
});
