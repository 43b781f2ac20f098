import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What became of a connection a test waited on. */
export type RawOutcome =
  { kind: 'response'; response: RawResponse } | { kind: 'closed' } | { kind: 'timeout' };

/**
 * One HTTP/1.1 connection driven byte by byte: for requests no well-behaved client sends
 * (truncated, oversized, slow, invalid) and for asking what the next request on the same
 * connection gets. Responses are parsed as they arrive (Content-Length or chunked).
 */
export class RawHttpConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    // A reset from the server is an outcome the test reads (closed), not a crash of the test.
    socket.on('error', end);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawHttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawHttpConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes bytes; a socket the server already closed swallows them (the outcome says so). */
  write(bytes: string | Buffer): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next response on the connection, or that it closed, or that nothing came in time. */
  async next(timeoutMs: number): Promise<RawOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.takeResponse();
      if (parsed) return { kind: 'response', response: parsed };
      if (this.ended) return { kind: 'closed' };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private takeResponse(): RawResponse | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd === -1) return undefined;
    const [statusLine = '', ...lines] = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(' ')[1]);
    const rest = this.buffer.subarray(headEnd + 4);
    const body = headers['transfer-encoding']?.toLowerCase().includes('chunked')
      ? dechunk(rest)
      : headers['content-length'] !== undefined
        ? rest.length >= Number(headers['content-length'])
          ? {
              body: rest.subarray(0, Number(headers['content-length'])),
              used: Number(headers['content-length']),
            }
          : undefined
        : status === 204 || status === 304
          ? { body: Buffer.alloc(0), used: 0 }
          : this.ended
            ? { body: rest, used: rest.length }
            : undefined;
    if (!body) return undefined;
    this.buffer = rest.subarray(body.used);
    return { status, headers, body: body.body.toString('utf8') };
  }
}

function dechunk(data: Buffer): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    const start = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', start);
      return trailerEnd === -1 ? undefined : { body: Buffer.concat(parts), used: trailerEnd + 2 };
    }
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/** A minimal request head, CRLF-terminated, for a raw connection. */
export function requestHead(method: string, path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
