// A client that opens TCP connections to one destination and never closes them, reporting on
// stdout (one JSON object per line) when it starts and when connect() first fails.
//   leak  RATE: one new connection every 1000/RATE ms until the first failure (EADDRNOTAVAIL).
//   hold  COUNT: COUNT connections at once, then nothing more (flat usage).
// Run inside the test's network namespace: `node --import tsx leak-client.ts leak 5 127.0.0.1 5000`.
import net from 'node:net';

const [mode = 'leak', amount = '5', host = '127.0.0.1', port = '5000'] = process.argv.slice(2);
const open: net.Socket[] = [];
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`);

function connectOne(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      open.push(socket);
      resolve(null);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function leak(rate: number): Promise<void> {
  const periodMs = 1000 / rate;
  const started = performance.now();
  say({ event: 'start', mode: 'leak', rate });
  for (let n = 0; ; n += 1) {
    // Paced against the start, so slow connects do not stretch the run-up.
    const wait = started + n * periodMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const error = await connectOne();
    if (error !== null) {
      say({ event: 'failed', error, opened: open.length });
      return;
    }
  }
}

async function hold(count: number): Promise<void> {
  say({ event: 'start', mode: 'hold', count });
  for (let n = 0; n < count; n += 1) {
    const error = await connectOne();
    if (error !== null) {
      say({ event: 'failed', error, opened: open.length });
      // Flat usage was not reached: exit, so a test waiting for "holding" fails at once.
      process.exit(1);
    }
  }
  say({ event: 'holding', opened: open.length });
}

await (mode === 'hold' ? hold(Number(amount)) : leak(Number(amount)));
// Keep every socket open until the test kills this process.
setInterval(() => undefined, 1 << 30);
