import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';

/**
 * The agent's WebSocket client (RFC 6455), on `node:net`, or `node:tls` for wss: URLs only.
 *
 * It replaces the `ws` package in the agent, whose client loads `http`, `https`, `tls` and `zlib`
 * at import: about 4 MB of resident memory in a process that only ever opens one connection
 * (docs/agent-memory.md). It does what the agent's link needs and no more: the upgrade with extra
 * headers (credentials, protocol version) and a handshake timeout, the refused upgrade's status and
 * body, masked client frames, fragmented and interleaved control frames from the server, ping/pong,
 * the closing handshake with codes and reasons, UTF-8 checks on text, a maximum message size, and
 * `bufferedAmount` / `drain` for backpressure. No extensions (no permessage-deflate) and no
 * subprotocols are offered, so a server that answers with either is refused.
 *
 * Events: `open`; `message` (data: Buffer, isBinary: boolean); `pong` (data: Buffer);
 * `unexpected-response` (status: number, body: string), when the server answers the upgrade with
 * anything but 101; `error` (Error); `drain`; and always exactly one `close` (code: number,
 * reason: Buffer) at the end: 1005 when the server's close frame had no code, 1006 when the
 * connection ended without a closing handshake.
 */
export class WsClient extends EventEmitter {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState: number = WsClient.CONNECTING;
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');
  private readonly maxPayload: number;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /** Bytes received and not parsed yet (the HTTP response head, then frames). */
  private pending: Buffer = Buffer.alloc(0);
  private upgraded = false;
  /** The refused upgrade's status, while its body is read. */
  private refusedStatus = 0;
  private refusedLength = -1;
  private fragments: Buffer[] = [];
  private fragmentsLength = 0;
  private fragmentsBinary = false;
  private closeSent = false;
  private closeReceived = false;
  private closeCode = 1006;
  private closeReason: Buffer = Buffer.alloc(0);
  private closeEmitted = false;

  constructor(address: string, options: { headers?: Record<string, string>; handshakeTimeout?: number; maxPayload?: number } = {}) {
    super();
    const url = new URL(address);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new SyntaxError(`not a WebSocket URL: ${address}`);
    if (url.hash) throw new SyntaxError(`a WebSocket URL has no fragment: ${address}`);
    this.maxPayload = options.maxPayload ?? 16 * 1024 * 1024;
    const secure = url.protocol === 'wss:';
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (secure) {
      // Loaded only here: tls (and what it pulls in) stays out of a process that speaks plain ws.
      const tls = process.getBuiltinModule('node:tls');
      const net = process.getBuiltinModule('node:net');
      this.socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host });
    } else {
      const net = process.getBuiltinModule('node:net');
      this.socket = net.connect({ host, port });
    }
    const headers: Record<string, string> = {
      Host: url.port ? `${url.hostname}:${url.port}` : url.hostname,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': this.key,
      'Sec-WebSocket-Version': '13',
      ...options.headers,
    };
    let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`header ${name} has a line break`);
      head += `${name}: ${value}\r\n`;
    }
    this.socket.write(`${head}\r\n`);
    if (options.handshakeTimeout) {
      this.handshakeTimer = setTimeout(() => this.fail(new Error('Opening handshake has timed out')), options.handshakeTimeout);
    }
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('error', (error: Error) => this.fail(error));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onSocketClose());
  }

  /** Bytes handed to `send` and friends that the kernel has not taken yet. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Sends a text message (a string) or a binary one (a Buffer). False when the data waits in memory: see `drain`. */
  send(data: string | Buffer): boolean {
    if (this.readyState !== WsClient.OPEN) return false;
    return typeof data === 'string' ? this.writeFrame(0x1, Buffer.from(data, 'utf8')) : this.writeFrame(0x2, data);
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (this.readyState !== WsClient.OPEN) return;
    if (data.length > 125) throw new RangeError('a ping carries at most 125 bytes');
    this.writeFrame(0x9, data);
  }

  /** Starts the closing handshake; the connection is dropped if the server does not finish it in 30 s. */
  close(code = 1000, reason = ''): void {
    if (this.readyState === WsClient.CLOSED) return;
    if (this.readyState === WsClient.CONNECTING) return this.fail(new Error('WebSocket was closed before the connection was established'));
    if (!isValidCloseCode(code)) throw new RangeError(`invalid close code ${code}`);
    const reasonBytes = Buffer.from(reason, 'utf8');
    if (reasonBytes.length > 123) throw new RangeError('a close reason is at most 123 bytes');
    this.sendClose(code, reasonBytes);
    this.armCloseTimer();
  }

  /** Drops the connection at once, without a closing handshake. */
  terminate(): void {
    if (this.readyState === WsClient.CLOSED) return;
    this.readyState = WsClient.CLOSING;
    this.socket.destroy();
  }

  private writeFrame(opcode: number, payload: Buffer): boolean {
    const length = payload.length;
    const headerLength = 2 + (length > 0xffff ? 8 : length > 125 ? 2 : 0) + 4;
    const frame = Buffer.allocUnsafe(headerLength + length);
    frame[0] = 0x80 | opcode; // FIN: the agent never fragments what it sends
    if (length > 0xffff) {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    } else if (length > 125) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | length;
    }
    // Clients mask every frame with a fresh random key (RFC 6455 section 5.3).
    const mask = frame.subarray(headerLength - 4, headerLength);
    randomFillSync(mask);
    for (let i = 0; i < length; i++) frame[headerLength + i] = payload[i]! ^ mask[i & 3]!;
    return this.socket.write(frame);
  }

  private sendClose(code: number | undefined, reason: Buffer): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.readyState = WsClient.CLOSING;
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      payload = Buffer.allocUnsafe(2 + reason.length);
      payload.writeUInt16BE(code, 0);
      reason.copy(payload, 2);
    }
    this.writeFrame(0x8, payload);
  }

  private armCloseTimer(): void {
    if (this.closeTimer) return;
    this.closeTimer = setTimeout(() => this.socket.destroy(), 30_000);
    this.closeTimer.unref();
  }

  /** An error before or on the connection: reported once, then the connection is dropped. */
  private fail(error: Error): void {
    if (this.readyState === WsClient.CLOSED || this.closeEmitted) return;
    clearTimeout(this.handshakeTimer);
    this.readyState = WsClient.CLOSING;
    this.socket.destroy();
    this.emit('error', error);
  }

  /**
   * A protocol violation by the server (`code` is the close code it deserves): reported, and the
   * connection dropped without a closing handshake, as `ws` does.
   */
  private protocolError(code: number, message: string): void {
    const error = new Error(message) as Error & { closeCode?: number };
    error.closeCode = code;
    this.fail(error);
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.refusedStatus < 0) return;
    if (this.refusedStatus > 0) return this.readRefusal();
    if (!this.upgraded) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.pending.length > 16 * 1024) this.fail(new Error('the upgrade response head is too long'));
        return;
      }
      const head = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(end + 4);
      if (!this.onResponseHead(head)) return;
    }
    this.readFrames();
  }

  /** Checks the server's answer to the upgrade; true when the connection is open. */
  private onResponseHead(head: string): boolean {
    const [statusLine = '', ...lines] = head.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) {
      this.fail(new Error(`not an HTTP response: ${statusLine.slice(0, 100)}`));
      return false;
    }
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const code = Number(status[1]);
    if (code !== 101) {
      clearTimeout(this.handshakeTimer);
      this.refusedStatus = code;
      const length = headers.get('content-length');
      this.refusedLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : -1;
      this.readRefusal();
      return false;
    }
    const accept = createHash('sha1').update(`${this.key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    let problem = '';
    if (headers.get('upgrade')?.toLowerCase() !== 'websocket') problem = 'Invalid Upgrade header';
    else if (!/(^|,)\s*upgrade\s*(,|$)/i.test(headers.get('connection') ?? '')) problem = 'Invalid Connection header';
    else if (headers.get('sec-websocket-accept') !== accept) problem = 'Invalid Sec-WebSocket-Accept header';
    else if (headers.has('sec-websocket-extensions'))
      problem = 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
    else if (headers.has('sec-websocket-protocol')) problem = 'Server sent a subprotocol but none was requested';
    if (problem) {
      this.fail(new Error(problem));
      return false;
    }
    clearTimeout(this.handshakeTimer);
    this.upgraded = true;
    this.readyState = WsClient.OPEN;
    this.socket.setNoDelay(true);
    this.emit('open');
    return this.readyState === WsClient.OPEN;
  }

  /** The body of a refused upgrade: up to its Content-Length, or the end of the connection (at most 64 KiB). */
  private readRefusal(done = false): void {
    const complete = (this.refusedLength >= 0 && this.pending.length >= this.refusedLength) || this.pending.length >= 64 * 1024;
    if (!complete && !done) return;
    const status = this.refusedStatus;
    const body = this.pending.subarray(0, this.refusedLength >= 0 ? this.refusedLength : 64 * 1024).toString('utf8');
    this.refusedStatus = -1; // reported: later bytes are ignored
    this.pending = Buffer.alloc(0);
    this.readyState = WsClient.CLOSING;
    this.socket.destroy();
    if (this.listenerCount('unexpected-response') > 0) this.emit('unexpected-response', status, body);
    else this.emit('error', new Error(`Unexpected server response: ${status}`));
  }

  private readFrames(): void {
    while (this.upgraded && !this.closeReceived && !this.socket.destroyed && this.pending.length >= 2) {
      const buf = this.pending;
      const first = buf[0]!;
      const second = buf[1]!;
      const fin = (first & 0x80) !== 0;
      const opcode = first & 0x0f;
      if ((first & 0x70) !== 0) return this.protocolError(1002, 'RSV bits set but no extension was negotiated');
      if ((second & 0x80) !== 0) return this.protocolError(1002, 'the server sent a masked frame');
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) return;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) return;
        const high = buf.readUInt32BE(2);
        if (high > 0x1fffff) return this.protocolError(1009, 'frame length beyond 2^53 - 1');
        length = high * 2 ** 32 + buf.readUInt32BE(6);
        offset = 10;
      }
      const control = opcode >= 0x8;
      if (control && (!fin || length > 125)) return this.protocolError(1002, 'a fragmented or oversized control frame');
      if (!control && length + this.fragmentsLength > this.maxPayload) return this.protocolError(1009, 'message too big');
      if (buf.length < offset + length) return;
      const payload = buf.subarray(offset, offset + length);
      this.pending = buf.length === offset + length ? Buffer.alloc(0) : buf.subarray(offset + length);
      if (control) this.onControl(opcode, payload);
      else this.onDataFrame(opcode, fin, payload);
    }
  }

  private onDataFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x0) {
      if (this.fragments.length === 0) return this.protocolError(1002, 'a continuation frame with no message to continue');
    } else if (opcode === 0x1 || opcode === 0x2) {
      if (this.fragments.length > 0) return this.protocolError(1002, 'a new message before the last one ended');
      this.fragmentsBinary = opcode === 0x2;
    } else {
      return this.protocolError(1002, `unknown opcode ${opcode}`);
    }
    // Copied: the payload is a view of a socket chunk that must not be kept alive by a fragment.
    this.fragments.push(fin && this.fragments.length === 0 ? payload : Buffer.from(payload));
    this.fragmentsLength += payload.length;
    if (!fin) return;
    const message = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.fragmentsLength);
    this.fragments = [];
    this.fragmentsLength = 0;
    if (!this.fragmentsBinary && !isUtf8(message)) return this.protocolError(1007, 'a text message that is not UTF-8');
    if (this.readyState === WsClient.OPEN) this.emit('message', message, this.fragmentsBinary);
  }

  private onControl(opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x8: {
        if (payload.length === 1) return this.protocolError(1002, 'a close frame of one byte');
        if (payload.length >= 2) {
          const code = payload.readUInt16BE(0);
          if (!isValidCloseCode(code)) return this.protocolError(1002, `invalid close code ${code}`);
          const reason = payload.subarray(2);
          if (!isUtf8(reason)) return this.protocolError(1007, 'a close reason that is not UTF-8');
          this.closeCode = code;
          this.closeReason = Buffer.from(reason);
        } else {
          this.closeCode = 1005;
        }
        this.closeReceived = true;
        // Echo the code and wait for the server to close the TCP connection (it closes first).
        this.sendClose(this.closeCode === 1005 ? undefined : this.closeCode, Buffer.alloc(0));
        this.socket.end();
        this.armCloseTimer();
        return;
      }
      case 0x9:
        if (this.readyState === WsClient.OPEN) this.writeFrame(0xa, payload);
        return;
      case 0xa:
        this.emit('pong', Buffer.from(payload));
        return;
      default:
        return this.protocolError(1002, `unknown opcode ${opcode}`);
    }
  }

  private onEnd(): void {
    if (this.refusedStatus > 0) this.readRefusal(true);
    // The server ended its side: finish ours (after our close frame if the handshake is under way).
    this.socket.end();
  }

  private onSocketClose(): void {
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.closeTimer);
    if (this.refusedStatus > 0) this.readRefusal(true);
    this.readyState = WsClient.CLOSED;
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    const clean = this.closeReceived;
    this.emit('close', clean ? this.closeCode : 1006, clean ? this.closeReason : Buffer.alloc(0));
  }
}

/** Close codes a peer may send (RFC 6455 section 7.4, and the registered 1012-1014). */
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
