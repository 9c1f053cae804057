// Accepts and holds every connection on HOST:PORT until killed: the far end of a leaking client.
// Run inside the test's network namespace: `node --import tsx tcp-listener.ts 127.0.0.1 5000`.
import net from 'node:net';

const [host = '127.0.0.1', port = '5000'] = process.argv.slice(2);
const held: net.Socket[] = [];
const server = net.createServer((socket) => {
  socket.on('error', () => undefined);
  held.push(socket);
});
server.listen({ host, port: Number(port), backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', host, port: Number(port) })}\n`);
});
