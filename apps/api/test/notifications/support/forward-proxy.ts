import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** `CONNECT` for tunnels (https, SMTP), else the HTTP method of an absolute-form request. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
}

export interface ForwardProxy {
  url: string;
  readonly seen: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP forward proxy on loopback: relays absolute-form requests (http://…) and opens
 * CONNECT tunnels, recording each. Only loopback targets are relayed, so a test can never reach
 * another address through it.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const isLoopback = (host: string): boolean => host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    seen.push({ method: req.method ?? '', target });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    if (!isLoopback(url.hostname)) {
      res.writeHead(403).end('this test proxy only relays to loopback');
      return;
    }
    const upstream = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method,
        headers: { ...req.headers, host: url.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end('upstream failed'));
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push({ method: 'CONNECT', target });
    const sep = target.lastIndexOf(':');
    const host = target.slice(0, sep);
    if (!isLoopback(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(target.slice(sep + 1)), host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    sockets.add(client);
    const end = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', () => sockets.delete(upstream));
    client.on('close', () => sockets.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
