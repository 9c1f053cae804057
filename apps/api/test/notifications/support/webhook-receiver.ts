import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach } from 'vitest';
import { freePort } from '../../../src/database/embedded-postgres.ts';
import { parseAddressAllowlist } from '../../../src/security/address-guard.ts';
import { suiteValue } from '../../../../../test/support/suite-value.ts';

/** The addresses a delivery may reach in these tests: the receiver listens on loopback. */
export const LOOPBACK = parseAddressAllowlist('127.0.0.0/8');

export interface ReceivedRequest {
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the whole body had arrived. */
  receivedAt: number;
}

/** How the receiver answers one request: a status, or never (to exercise timeouts). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | { hang: true };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  url(path: string): string;
  readonly requests: ReceivedRequest[];
  /** Queues replies for the next requests, in order; once used up the receiver answers 200. */
  enqueue(...replies: Reply[]): void;
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records every request, standing in for a chat service. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const queue: Reply[] = [];
  const hanging: ServerResponse[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      const reply = queue.shift() ?? { status: 200, body: 'ok' };
      if ('hang' in reply) {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening: bound, then released, so a connect is refused. */
export function closedLoopbackPort(): Promise<number> {
  return freePort();
}

/**
 * One receiver for a whole test file, emptied before each test: replaces the beforeAll, afterAll
 * and beforeEach every provider test wrote by hand. The handle is usable from inside tests only.
 */
export function useWebhookReceiver(): WebhookReceiver {
  const receiver = suiteValue(startWebhookReceiver, (r) => r.close());
  beforeEach(() => {
    receiver.requests.length = 0;
  });
  return receiver;
}
