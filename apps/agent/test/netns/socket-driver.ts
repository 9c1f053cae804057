/**
 * Makes real sockets inside a network namespace on command. Started by the netns tests with
 * `ip netns exec NS node --import tsx socket-driver.ts`; reads one JSON command per line on stdin
 * and answers one JSON line on stdout. Holding the sockets in a separate process (not the test
 * runner) keeps them in the namespace and lets the test kill them all at once.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { DriverCommand, DriverReply } from './driver-protocol.ts';

const servers: { port: number; server: net.Server; accepted: Set<net.Socket> }[] = [];
const clients = new Map<string, net.Socket[]>();
const udpSockets: dgram.Socket[] = [];

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
}

function listen(host: string, port: number): Promise<void> {
  const accepted = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => accepted.delete(socket));
  });
  servers.push({ port, server, accepted });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // ipv6Only so that "::1" and "127.0.0.1" listeners on one port can coexist (T9).
    server.listen({ host, port, backlog: 1024, ipv6Only: host.includes(':') }, () => resolve());
  });
}

function connectOne(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function connect(command: Extract<DriverCommand, { op: 'connect' }>): Promise<DriverReply> {
  const list = clients.get(command.tag) ?? [];
  clients.set(command.tag, list);
  let succeeded = 0;
  let error: string | null = null;
  while (command.max === undefined || succeeded < command.max) {
    try {
      const options: net.TcpNetConnectOpts = { host: command.host, port: command.port };
      if (command.localAddress !== undefined) options.localAddress = command.localAddress;
      const localPort = command.localPorts?.[succeeded];
      if (localPort !== undefined) options.localPort = localPort;
      list.push(await connectOne(options));
      succeeded++;
    } catch (e) {
      error = errorCode(e);
      break;
    }
  }
  return { ok: true, succeeded, error };
}

/** Closes a tagged group from the client side first (each entry goes to TIME_WAIT on the client). */
async function closeClients(tag: string): Promise<DriverReply> {
  const list = clients.get(tag) ?? [];
  clients.delete(tag);
  await Promise.all(
    list.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.end();
        }),
    ),
  );
  return { ok: true, succeeded: list.length, error: null };
}

/** The servers on `port` close their accepted sockets first; waits until the clients are gone too. */
async function closeServerSide(port: number): Promise<DriverReply> {
  const closing: Promise<void>[] = [];
  for (const list of clients.values()) {
    for (const socket of list) {
      if (socket.remotePort === port && !socket.destroyed) closing.push(new Promise((resolve) => socket.once('close', () => resolve())));
    }
  }
  let count = 0;
  for (const entry of servers) {
    if (entry.port !== port) continue;
    for (const socket of entry.accepted) {
      socket.end();
      count++;
    }
  }
  await Promise.all(closing);
  for (const [tag, list] of clients)
    clients.set(
      tag,
      list.filter((s) => !s.destroyed),
    );
  return { ok: true, succeeded: count, error: null };
}

async function udp(command: Extract<DriverCommand, { op: 'udp' }>): Promise<DriverReply> {
  let succeeded = 0;
  let error: string | null = null;
  while (command.max === undefined || succeeded < command.max) {
    const port = command.ports[succeeded % command.ports.length] ?? 7000;
    const socket = dgram.createSocket(command.host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, command.host, () => resolve());
      });
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      udpSockets.push(socket);
      succeeded++;
    } catch (e) {
      error = errorCode(e);
      socket.close();
      break;
    }
  }
  return { ok: true, succeeded, error };
}

let churn: { timer: NodeJS.Timeout; done: number; error: string | null } | null = null;

/** Paced by elapsed time, not by ticks: a late tick opens the connections it owes. */
function startChurn(command: Extract<DriverCommand, { op: 'churn-start' }>): DriverReply {
  if (churn) return { ok: false, succeeded: 0, error: 'a churn is already running' };
  const started = performance.now();
  let opened = 0;
  const state = {
    done: 0,
    error: null as string | null,
    timer: setInterval(() => {
      const owed = Math.floor(((performance.now() - started) / 1000) * command.perSecond) - opened;
      for (let i = 0; i < owed; i++) {
        opened++;
        connectOne({ host: command.host, port: command.port }).then(
          (socket) => {
            socket.end();
            state.done++;
          },
          (e: unknown) => {
            state.error ??= errorCode(e);
          },
        );
      }
    }, 5),
  };
  churn = state;
  return { ok: true, succeeded: 0, error: null };
}

function churnCount(stop: boolean): DriverReply {
  const current = churn;
  if (!current) return { ok: false, succeeded: 0, error: 'no churn running' };
  if (stop) {
    clearInterval(current.timer);
    churn = null;
  }
  return { ok: true, succeeded: current.done, error: current.error };
}

async function handle(command: DriverCommand): Promise<DriverReply> {
  switch (command.op) {
    case 'listen':
      await listen(command.host, command.port);
      return { ok: true, succeeded: 1, error: null };
    case 'connect':
      return connect(command);
    case 'close-clients':
      return closeClients(command.tag);
    case 'close-server-side':
      return closeServerSide(command.port);
    case 'udp':
      return udp(command);
    case 'churn-start':
      return startChurn(command);
    case 'churn-count':
      return churnCount(command.stop === true);
  }
}

const lines = createInterface({ input: process.stdin });
// Commands are handled one at a time, in order, so that replies match requests.
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    let reply: DriverReply;
    try {
      reply = await handle(JSON.parse(line) as DriverCommand);
    } catch (error) {
      reply = { ok: false, succeeded: 0, error: error instanceof Error ? `${errorCode(error)}: ${error.message}` : String(error) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
});
// The test closing stdin (or dying) ends the driver and every socket it holds.
lines.on('close', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ ok: true, succeeded: 0, error: null })}\n`);
