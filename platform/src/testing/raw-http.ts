/**
 * HTTP/1.1 over a bare TCP socket: exact bytes out (truncated, stalled, oversized, invalid),
 * responses parsed as they arrive, and the same socket kept for the next request. Every wait is
 * bounded; a socket the server closed is an outcome, never an exception.
 */
import { connect, type Socket } from 'node:net';

export const HOST = '127.0.0.1';

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Milliseconds from the wait's start to the last byte of the response. */
  ms: number;
}

export type Outcome =
  | { kind: 'response'; response: RawResponse }
  | { kind: 'closed'; ms: number }
  | { kind: 'timeout'; ms: number };

export interface RequestSpec {
  method: string;
  /** Sent as is: it may hold bytes that are not valid UTF-8 (a latin1 string, one char per byte). */
  target: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body as chunks of this many bytes with Transfer-Encoding: chunked. */
  chunkBytes?: number;
  /** Overrides the Content-Length computed from the body (a body shorter than declared). */
  contentLength?: number;
}

/** The exact bytes of one request: Host, keep-alive and a correct length unless told otherwise. */
export function requestBytes(spec: RequestSpec): Buffer {
  const body =
    typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : (spec.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { host: HOST, connection: 'keep-alive', ...spec.headers };
  let payload = body;
  if (spec.chunkBytes !== undefined) {
    headers['transfer-encoding'] = 'chunked';
    const parts: Buffer[] = [];
    for (let at = 0; at < body.length; at += spec.chunkBytes) {
      const chunk = body.subarray(at, at + spec.chunkBytes);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    payload = Buffer.concat(parts);
  } else if (spec.contentLength !== undefined || body.length > 0 || spec.method !== 'GET') {
    headers['content-length'] = String(spec.contentLength ?? body.length);
  }
  const head = [
    `${spec.method} ${spec.target} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

const HEADER_END = Buffer.from('\r\n\r\n');

type Parsed = { response: Omit<RawResponse, 'ms'>; used: number } | 'incomplete' | 'until-close';

/** Parses one response off the front of `data` (a body delimited by the close is 'until-close'). */
function parseResponse(data: Buffer, closed: boolean): Parsed {
  const headEnd = data.indexOf(HEADER_END);
  if (headEnd < 0) return 'incomplete';
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const bodyStart = headEnd + HEADER_END.length;
  if (status < 200 || status === 204 || status === 304) {
    return { response: { status, headers, body: Buffer.alloc(0) }, used: bodyStart };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) return 'incomplete';
      const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunked response');
      const end = lineEnd + 2 + size + 2;
      if (data.length < end) return 'incomplete';
      if (size === 0) return { response: { status, headers, body: Buffer.concat(parts) }, used: end };
      parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = end;
    }
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const end = bodyStart + Number(length);
    if (data.length < end) return 'incomplete';
    return { response: { status, headers, body: data.subarray(bodyStart, end) }, used: end };
  }
  if (!closed) return 'until-close';
  return { response: { status, headers, body: data.subarray(bodyStart) }, used: data.length };
}

/** One client connection; `received` holds what has not been consumed as a response yet. */
export class RawConnection {
  private received = Buffer.alloc(0);
  private ended = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    // ECONNRESET or EPIPE: the server is gone from this connection; that is an outcome to look at.
    socket.on('error', end);
  }

  static open(port: number, timeoutMs = 2_000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${HOST}:${port} took over ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** What arrived and was not taken as a response yet. */
  get pending(): Buffer {
    return this.received;
  }

  /** Writes and waits until the bytes are handed to the kernel; a closed socket swallows them. */
  write(bytes: Buffer | string): Promise<void> {
    if (this.ended || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Writes without waiting (a big body the server may refuse before reading it all). */
  push(bytes: Buffer): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(bytes);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves with check()'s first non-undefined value, or undefined after timeoutMs. */
  private until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const settle = (value: T | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        resolve(value);
      };
      const poll = () => {
        try {
          const value = check();
          if (value !== undefined) settle(value);
        } catch (error) {
          clearTimeout(timer);
          this.waiters.delete(poll);
          reject(error);
        }
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      this.waiters.add(poll);
      poll();
    });
  }

  /** The next response on this connection, the connection's close, or a timeout. */
  async next(timeoutMs: number): Promise<Outcome> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const outcome = await this.until<Outcome>(() => {
      const parsed = parseResponse(this.received, this.ended);
      if (typeof parsed === 'object') {
        this.received = this.received.subarray(parsed.used);
        return { kind: 'response', response: { ...parsed.response, ms: ms() } };
      }
      return this.ended ? { kind: 'closed', ms: ms() } : undefined;
    }, timeoutMs);
    return outcome ?? { kind: 'timeout', ms: ms() };
  }

  /** Waits until at least `count` bytes arrived (or `marker` appears); false on close or timeout. */
  async receivedAtLeast(count: number, timeoutMs: number, marker?: RegExp): Promise<boolean> {
    const enough = () =>
      this.received.length >= count && (marker?.test(this.received.toString('latin1')) ?? true);
    const seen = await this.until(() => (enough() ? true : this.ended ? false : undefined), timeoutMs);
    return seen === true;
  }

  /** True when the server closed the connection within timeoutMs (bytes it sent are ignored). */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    return (await this.until(() => (this.ended ? true : undefined), timeoutMs)) === true;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One request on a fresh connection, its outcome, and the connection closed afterwards. */
export async function exchange(port: number, spec: RequestSpec, timeoutMs = 2_000): Promise<Outcome> {
  const connection = await RawConnection.open(port);
  try {
    await connection.write(requestBytes(spec));
    return await connection.next(timeoutMs);
  } finally {
    connection.destroy();
  }
}

export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind !== 'response') return `${outcome.kind} after ${outcome.ms} ms`;
  const { status, body, ms } = outcome.response;
  return `${status} after ${ms} ms: ${body.toString('utf8').slice(0, 300)}`;
}

export function jsonOf(response: RawResponse): unknown {
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch {
    return undefined;
  }
}
