/**
 * The gateway's own answers (gateway/haproxy.cfg, gateway/errors/, gateway/payload-too-large.lua):
 * what HAProxy refuses or fails itself is RFC 9457 problem+json with a stable `code` and the
 * request id, never its built-in HTML; a body over the limit announced by Content-Length gets a
 * 413 that a client still sending the body reads (no EPIPE/ECONNRESET); and the gateway serves
 * the next request afterwards.
 *
 * GATEWAY_CONFIG=<file> runs the same rows against another config, e.g. an older one:
 *   git show HEAD:gateway/haproxy.cfg > /tmp/old.cfg && GATEWAY_CONFIG=/tmp/old.cfg npx mocha <this>
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../stack/config.js';
import { freePorts, waitUntil } from '../stack/net.js';
import { request, startBackend, startHaproxy } from './helpers.js';
import type { Backend, RunningHaproxy } from './helpers.js';

const CONFIG = process.env['GATEWAY_CONFIG'] ?? path.join(REPO_ROOT, 'gateway', 'haproxy.cfg');
const MB = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Answer {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  request_id?: string;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** The answer as an RFC 9457 problem: content type, members, status and code checked. */
function problemOf(answer: Answer, status: number, code: string): Problem {
  assert.equal(answer.status, status, `status of: ${answer.body.slice(0, 300)}`);
  assert.equal(answer.headers['content-type'], 'application/problem+json', answer.body.slice(0, 300));
  const parsed: unknown = JSON.parse(answer.body);
  const problem = {
    type: field(parsed, 'type'),
    title: field(parsed, 'title'),
    status: field(parsed, 'status'),
    code: field(parsed, 'code'),
    request_id: field(parsed, 'request_id'),
  };
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `urn:marketshare:problem:${code}`);
  assert.ok(typeof problem.title === 'string' && problem.title.length > 0, 'a title');
  assert.ok(problem.request_id === undefined || typeof problem.request_id === 'string');
  return {
    type: problem.type,
    title: problem.title,
    status,
    code,
    ...(typeof problem.request_id === 'string' ? { request_id: problem.request_id } : {}),
  };
}

/** A problem made within a request: its X-Request-Id and its request_id are the same id. */
function problemWithId(answer: Answer, status: number, code: string): Problem {
  const problem = problemOf(answer, status, code);
  const id = answer.headers['x-request-id'];
  assert.ok(typeof id === 'string', 'X-Request-Id');
  assert.match(id, UUID, 'X-Request-Id');
  assert.equal(problem.request_id, id, 'request_id is the X-Request-Id');
  return problem;
}

/** Every complete HTTP/1.1 response in `data` (each with a Content-Length), in order. */
function parseAnswers(data: Buffer): Answer[] {
  const answers: Answer[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return answers;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (status === null) throw new Error(`not an HTTP response: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? '0');
    const body = rest.subarray(end + 4, end + 4 + length);
    answers.push({ status: Number(status[1]), headers, body: body.toString('utf8') });
    rest = rest.subarray(end + 4 + length);
  }
}

interface RawExchange {
  answers: Answer[];
  /** EPIPE, ECONNRESET...: what the client saw instead of a clean end, if anything. */
  error?: string;
  bodySent: number;
}

/**
 * Raw bytes over one connection (net.Socket: no client library tidying the request): `head`,
 * then `bodyBytes` of body written as fast as the socket takes them, then `next` (a further
 * request on the same connection); collects everything until the gateway closes.
 */
function exchange(
  port: number,
  head: Buffer | string,
  options: { bodyBytes?: number; next?: string } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let bodySent = 0;
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the answer to: ${head.slice(0, 100).toString()}`));
    }, 15_000);
    socket.on('connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const total = options.bodyBytes ?? 0;
      while (bodySent < total && !socket.destroyed) {
        const size = Math.min(chunk.length, total - bodySent);
        bodySent += size;
        if (!socket.write(chunk.subarray(0, size))) {
          await new Promise<void>((ready) => {
            socket.once('drain', ready);
            socket.once('close', ready);
          });
        }
      }
      if (options.next !== undefined && !socket.destroyed) socket.write(options.next);
    });
    socket.on('data', (data: Buffer) => chunks.push(data));
    socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause.code ?? cause.message));
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ answers: parseAnswers(Buffer.concat(chunks)), bodySent, ...(error ? { error } : {}) });
      } catch (cause) {
        reject(cause instanceof Error ? cause : new Error(String(cause)));
      }
    });
  });
}

/** The only answer of a raw exchange that must end cleanly. */
async function answerTo(port: number, head: Buffer | string): Promise<Answer> {
  const { answers, error } = await exchange(port, head);
  assert.equal(error, undefined, `the connection ended with ${error ?? ''}`);
  assert.equal(answers.length, 1, `answers: ${answers.map((answer) => answer.status).join(', ')}`);
  const [answer] = answers;
  assert.ok(answer !== undefined);
  return answer;
}

const crlf = (head: string): string => `${head.trim().split('\n').join('\r\n')}\r\n\r\n`;

interface Upload {
  status: number;
  headers: Record<string, string>;
  body: string;
  errors: string[];
  /** The whole body was handed to the socket ('finish'). */
  finished: boolean;
}

/**
 * An upload as a plain Node client makes it: http.request, the body written as fast as the
 * socket takes it while the answer may already be there. With `Connection: keep-alive` (a
 * keep-alive agent) Node writes the whole body; with `close` it drops the rest of the body once
 * the answer is complete. Settles once the answer is read and the request is done or closed;
 * errors are recorded, never thrown.
 */
function upload(
  port: number,
  urlPath: string,
  size: number,
  connection: 'keep-alive' | 'close',
): Promise<Upload> {
  const agent = new http.Agent({ keepAlive: connection === 'keep-alive', maxSockets: 1 });
  return new Promise<Upload>((resolve, reject) => {
    const errors: string[] = [];
    let answer: Pick<Upload, 'status' | 'headers' | 'body'> | undefined;
    let finished = false;
    let closed = false;
    const settle = (): void => {
      if (answer !== undefined && (finished || closed)) resolve({ ...answer, errors, finished });
      else if (closed) resolve({ status: 0, headers: {}, body: '', errors, finished });
    };
    const timer = setTimeout(() => reject(new Error(`upload to ${urlPath} did not end`)), 20_000);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(size),
          connection,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') flat[name] = value;
          answer = { status: res.statusCode ?? 0, headers: flat, body };
          settle();
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    req.on('finish', () => {
      finished = true;
      settle();
    });
    req.on('close', () => {
      closed = true;
      clearTimeout(timer);
      settle();
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    const pump = (): void => {
      while (written < size && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - written));
        written += part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    pump();
  }).finally(() => agent.destroy());
}

/** A service stand-in that passes health checks and answers everything else with garbage. */
async function startBrokenBackend(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.end('ok');
      return;
    }
    req.socket.end('HTTP/1.1 ???\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('gateway (HAProxy): its own errors', function () {
  this.timeout(30_000);

  describe('errorfile answers (what HAProxy 3.3+ also sends before a request exists)', () => {
    // `errorfile <code> <file>` lines of the config, files relative to its directory.
    const errorfiles = [...readFileSync(CONFIG, 'utf8').matchAll(/^\s*errorfile\s+(\d{3})\s+(\S+)/gm)].map(
      ([, code = '', file = '']) => ({
        status: Number(code),
        file: path.resolve(path.dirname(CONFIG), file),
      }),
    );

    it('has one for each code HAProxy may send before a request exists (400, 408, 413, 422, 500, 501)', () => {
      assert.deepEqual(
        errorfiles.map(({ status }) => status),
        [400, 408, 413, 422, 500, 501],
      );
    });

    for (const status of [400, 408, 413, 422, 500, 501]) {
      it(`answers ${status} with a complete problem+json response`, () => {
        const entry = errorfiles.find((candidate) => candidate.status === status);
        assert.ok(entry !== undefined, `no errorfile ${status}`);
        const raw = readFileSync(entry.file);
        const [answer, ...more] = parseAnswers(raw);
        assert.ok(answer !== undefined);
        assert.equal(more.length, 0);
        const end = raw.indexOf('\r\n\r\n');
        assert.equal(raw.length - end - 4, Number(answer.headers['content-length']), 'Content-Length');
        const code = field(JSON.parse(answer.body), 'code');
        assert.ok(typeof code === 'string' && /^[a-z]+(_[a-z]+)*$/.test(code), `code ${String(code)}`);
        problemOf(answer, status, code);
      });
    }
  });

  describe('running', () => {
    const backends: Record<string, Backend> = {};
    let broken: Awaited<ReturnType<typeof startBrokenBackend>> | undefined;
    let haproxy: RunningHaproxy | undefined;
    let port = 0;

    before(async () => {
      for (const name of ['auth', 'users', 'products']) backends[name] = await startBackend(name);
      broken = await startBrokenBackend();
      // ms-orders is down: its address has nothing listening.
      const [gateway, stats, deadOrders] = await freePorts(3);
      assert.ok(gateway !== undefined && stats !== undefined && deadOrders !== undefined);
      port = gateway;
      const addr = (name: string): string => `127.0.0.1:${backends[name]?.port ?? 0}`;
      haproxy = await startHaproxy(
        {
          GATEWAY_BIND: `127.0.0.1:${gateway}`,
          GATEWAY_STATS_BIND: `127.0.0.1:${stats}`,
          MS_AUTH_ADDR: addr('auth'),
          MS_USERS_ADDR: addr('users'),
          MS_PRODUCTS_ADDR: addr('products'),
          MS_ORDERS_ADDR: `127.0.0.1:${deadOrders}`,
          FRONTEND_ADDR: `127.0.0.1:${broken.port}`,
          GATEWAY_TOKEN_RATE: '1',
        },
        [gateway, stats],
        CONFIG,
      );
      const routable = await waitUntil(async () => {
        const answers = await Promise.all(['/api/users/x', '/api/products/x'].map((p) => request(port, p)));
        const frontend = await request(port, '/');
        return answers.every((answer) => answer.status === 200) && frontend.status === 502;
      }, 15_000);
      assert.ok(routable, `backends did not become routable:\n${haproxy.output()}`);
    });

    after(async () => {
      await haproxy?.stop();
      await Promise.all(Object.values(backends).map((backend) => backend.close()));
      await broken?.close();
    });

    const seen = (): number => Object.values(backends).reduce((sum, backend) => sum + backend.seen.length, 0);

    /** The gateway still routes a plain request, on a new connection. */
    const stillServes = async (): Promise<void> => {
      const response = await request(port, '/api/users/still-serving');
      assert.equal(response.status, 200, response.body);
      assert.equal(response.body, JSON.stringify({ backend: 'users', url: '/api/users/still-serving' }));
    };

    // Requests HAProxy 2.6's parser refused with its HTML page: refused again by the config,
    // as problem+json, and never routed.
    const refused: { name: string; head: Buffer | string; status: number; code: string }[] = [
      {
        name: 'a 40,000-character path segment',
        head: crlf(`GET /api/users/${'a'.repeat(40_000)} HTTP/1.1\nHost: gateway\nConnection: close`),
        status: 414,
        code: 'uri_too_long',
      },
      {
        name: 'a 100 kB query value',
        head: crlf(`GET /api/products?q=${'q'.repeat(100_000)} HTTP/1.1\nHost: gateway\nConnection: close`),
        status: 414,
        code: 'uri_too_long',
      },
      {
        name: 'raw non-ASCII bytes in the path',
        head: Buffer.concat([
          Buffer.from('GET /api/products/caf'),
          Buffer.from([0xc3, 0xa9, 0xff]),
          Buffer.from(' HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n'),
        ]),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'a 20 kB header (over what the services read, within HAProxy 2.6’s old buffer)',
        head: crlf(
          `GET /api/users/me HTTP/1.1\nHost: gateway\nCookie: c=${'c'.repeat(20_000)}\nConnection: close`,
        ),
        status: 431,
        code: 'headers_too_large',
      },
      {
        name: 'a 100 kB header',
        head: crlf(
          `GET /api/users/me HTTP/1.1\nHost: gateway\nX-Big: ${'h'.repeat(100_000)}\nConnection: close`,
        ),
        status: 431,
        code: 'headers_too_large',
      },
      // What `option accept-invalid-http-request` lets past the parser, refused by rules.
      {
        name: "a '#' in the target",
        head: crlf('GET /api/users/me#top HTTP/1.1\nHost: gateway\nConnection: close'),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'a space in a header name',
        head: crlf('GET /api/users/me HTTP/1.1\nHost: gateway\nX Role: admin\nConnection: close'),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'a non-token byte in a header name',
        head: Buffer.from(
          'GET /api/users/me HTTP/1.1\r\nHost: gateway\r\nX-R\xf6le: admin\r\nConnection: close\r\n\r\n',
          'latin1',
        ),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'an absolute-form target whose host is not the Host header',
        head: crlf('GET http://elsewhere.example/api/users/me HTTP/1.1\nHost: gateway\nConnection: close'),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'the version HTTP/1.10',
        head: crlf('GET /api/users/me HTTP/1.10\nHost: gateway\nConnection: close'),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'another protocol (RTSP/1.0)',
        head: crlf('GET /api/users/me RTSP/1.0\nHost: gateway\nConnection: close'),
        status: 400,
        code: 'bad_request',
      },
    ];
    for (const row of refused) {
      it(`answers ${row.status} problem+json (${row.code}) to ${row.name}, never routed; then serves`, async () => {
        const before = seen();
        problemWithId(await answerTo(port, row.head), row.status, row.code);
        assert.equal(seen(), before, 'reached a service');
        await stillServes();
      });
    }

    it('puts a well-formed client X-Request-Id in the problem', async () => {
      const head = Buffer.concat([
        Buffer.from('GET /api/users/\xff HTTP/1.1\r\nHost: gateway\r\n', 'latin1'),
        Buffer.from('X-Request-Id: client-chosen-id-42\r\nConnection: close\r\n\r\n'),
      ]);
      const answer = await answerTo(port, head);
      const problem = problemOf(answer, 400, 'bad_request');
      assert.equal(problem.request_id, 'client-chosen-id-42');
      assert.equal(answer.headers['x-request-id'], 'client-chosen-id-42');
    });

    // Bodies over the limit, announced by Content-Length: the 413 reaches a client still sending.
    const oversized: { url: string; size: number; limit: string }[] = [
      { url: '/api/users/me', size: 2 * MB, limit: '1 MB' },
      { url: '/api/products/p1/images', size: 7 * MB, limit: '6 MB' },
    ];
    for (const { url, size, limit } of oversized) {
      for (const connection of ['keep-alive', 'close'] as const) {
        it(`answers a ${size / MB} MB body to ${url} (over ${limit}) with 413 problem+json, read by an http.request client still sending it (Connection: ${connection})`, async () => {
          const before = seen();
          const result = await upload(port, url, size, connection);
          assert.deepEqual(result.errors, [], 'the client saw an error instead of the answer');
          problemWithId(result, 413, 'payload_too_large');
          // A keep-alive client writes the whole body, and the gateway reads it all.
          if (connection === 'keep-alive') assert.ok(result.finished, 'the whole body was written');
          assert.equal(seen(), before, 'reached a service');
          await stillServes();
        });
      }

      it(`serves the next request on the same connection after the 413 for ${size / MB} MB to ${url}`, async () => {
        const result = await exchange(
          port,
          crlf(`POST ${url} HTTP/1.1\nHost: gateway\nContent-Length: ${size}`),
          {
            bodyBytes: size,
            next: crlf('GET /api/users/same-socket HTTP/1.1\nHost: gateway\nConnection: close'),
          },
        );
        assert.equal(result.error, undefined, `the connection ended with ${result.error ?? ''}`);
        assert.equal(result.bodySent, size);
        const [refusal, next] = result.answers;
        assert.ok(refusal !== undefined && next !== undefined, `answers: ${result.answers.length}`);
        problemWithId(refusal, 413, 'payload_too_large');
        assert.equal(next.status, 200);
        assert.equal(next.body, JSON.stringify({ backend: 'users', url: '/api/users/same-socket' }));
      });
    }

    it('answers 413 problem+json at once, and no 100 Continue, to a client waiting for 100-continue', async () => {
      const head = crlf(
        `POST /api/products/p1/images HTTP/1.1\nHost: gateway\nExpect: 100-continue\nContent-Length: ${7 * MB}`,
      );
      // The client reads the answer and leaves, sending no body (as curl does).
      const answers = await new Promise<Answer[]>((resolve, reject) => {
        const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(head));
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no 413 within 5 s: ${Buffer.concat(chunks).toString('latin1')}`));
        }, 5000);
        socket.on('data', (data: Buffer) => {
          chunks.push(data);
          const parsed = parseAnswers(Buffer.concat(chunks));
          if (parsed.some((answer) => answer.status >= 200)) {
            clearTimeout(timer);
            socket.destroy();
            resolve(parsed);
          }
        });
        socket.on('error', reject);
      });
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [413],
      );
      const [answer] = answers;
      assert.ok(answer !== undefined);
      problemWithId(answer, 413, 'payload_too_large');
      await stillServes();
    });

    it('answers 404 problem+json (not_found) for a blocked path', async () => {
      problemWithId(await request(port, '/internal/x'), 404, 'not_found');
    });

    it('answers 429 problem+json (too_many_requests) past the token rate', async () => {
      const token = (): ReturnType<typeof request> =>
        request(port, '/api/auth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from('grant_type=client_credentials'),
        });
      assert.equal((await token()).status, 200);
      const limited = await token();
      problemWithId(limited, 429, 'too_many_requests');
      assert.equal(limited.headers['retry-after'], '10');
    });

    it('answers 503 problem+json (service_unavailable) for a service that is down', async () => {
      problemWithId(await request(port, '/api/orders'), 503, 'service_unavailable');
    });

    it('answers 502 problem+json (bad_gateway) for a service that answers garbage', async () => {
      problemWithId(await request(port, '/products'), 502, 'bad_gateway');
      await stillServes();
    });
  });
});
