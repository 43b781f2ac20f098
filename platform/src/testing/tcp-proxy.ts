import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** the 127.0.0.1 port clients connect to */
  port: number;
  host: string;
  /** `url` with its host and port replaced by the proxy's (e.g. an amqp:// URL with a vhost) */
  rewriteUrl(url: string): string;
  /** Closes every relayed connection and refuses new ones (the target looks unreachable). */
  pause(): Promise<void>;
  /** Accepts and relays connections again. */
  resume(): void;
  isPaused(): boolean;
  /** Closes every connection and the listening socket. */
  stop(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 in front of a real server (e.g. the shared RabbitMQ), so a test can
 * cut one client off from it — paused, connections are dropped and new ones refused at once —
 * without stopping a server other tests use.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (paused) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ port: targetPort, host: targetHost });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing or ending takes the other down with it, as a cut cable would.
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', closeBoth);
    upstream.once('error', closeBoth);
    client.once('close', closeBoth);
    upstream.once('close', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo; // a TCP server listening on a port has an AddressInfo
  const dropAll = async () => {
    const closing = [...sockets].map(
      (socket) =>
        new Promise<void>((resolve) =>
          socket.destroyed ? resolve() : socket.once('close', () => resolve()),
        ),
    );
    for (const socket of sockets) socket.destroy();
    await Promise.all(closing);
  };
  return {
    port,
    host: '127.0.0.1',
    rewriteUrl(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    async pause() {
      paused = true;
      await dropAll();
    },
    resume() {
      paused = false;
    },
    isPaused: () => paused,
    async stop() {
      paused = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await dropAll();
      await closed;
    },
  };
}
