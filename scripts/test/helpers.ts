/** Helpers for the scripts/ tests: tiny backends, a bounded HAProxy, raw HTTP requests. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../stack/config.js';
import { isPortOpen, waitUntil } from '../stack/net.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Backend {
  name: string;
  port: number;
  seen: SeenRequest[];
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request (health checks aside). */
export async function startBackend(name: string): Promise<Backend> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url !== '/healthz')
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ backend: name, url: req.url }));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return {
    name,
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RunningHaproxy {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs gateway/haproxy.cfg (or another config) in the foreground with the given environment. */
export async function startHaproxy(
  env: Record<string, string>,
  waitPorts: number[],
  config = path.join(REPO_ROOT, 'gateway', 'haproxy.cfg'),
): Promise<RunningHaproxy> {
  const child = spawn('haproxy', ['-db', '-f', config], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const up = await waitUntil(async () => {
    if (child.exitCode !== null) return true;
    return (await Promise.all(waitPorts.map((port) => isPortOpen(port)))).every(Boolean);
  }, 10_000);
  if (!up || child.exitCode !== null) {
    await stop();
    throw new Error(`haproxy did not start:\n${output}`);
  }
  return { child, output: () => output, stop };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on a fresh connection (no keep-alive), bounded in time. */
export function request(
  port: number,
  pathAndQuery: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathAndQuery,
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${pathAndQuery} timed out`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // HAProxy may answer (413) and close before the whole body is sent: give the answer time.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      else setTimeout(() => reject(error), 3000).unref();
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/**
 * Sends only a request head (announcing a body through Content-Length, none sent) and returns
 * the status of the answer: the gateway decides body limits on the head alone.
 */
export function statusForHead(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to:\n${head}`));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${head.trim().split('\n').join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (match !== null) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
