/**
 * What every fuzzed response must satisfy: an answer at all (no hang, no dropped connection),
 * no 5xx, every 4xx a problem+json with a `code` (RFC 6749 `{error, error_description}` from
 * ms-auth's OAuth endpoints), and no body that leaks a stack, a file path, a password hash or
 * SQL text. The fuzzer's own hostile strings are taken out first: a stored product name that
 * reads like SQL is data, not a leak.
 */
import type { Outcome, RawResponse } from '@marketshare/platform/testing';
import { INJECTION_STRINGS } from './hostile-values.js';
import type { FuzzRequest } from './request-model.js';

const OAUTH_ENDPOINTS = new Set(['/api/auth/token', '/api/auth/revoke', '/api/auth/introspect']);

const LEAKS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'a stack frame', pattern: /\bat (?:async )?[\w$.<>[\] ]+ \((?:file:\/\/|node:|\/)[^)]*:\d+:\d+\)/ },
  { what: 'a stack frame', pattern: /\bat (?:file:\/\/|node:internal|\/)[\w./-]+:\d+:\d+/ },
  {
    what: 'a file path',
    pattern:
      /(?:file:\/\/\/|\/node_modules\/|\/(?:work|home|root|usr|tmp)\/[\w.-]+\/|\b[\w-]+\/src\/[\w/-]+\.[cm]?[jt]s\b)/,
  },
  { what: 'a bcrypt hash', pattern: /\$2[aby]\$\d\d\$/ },
  {
    what: 'SQL text',
    pattern: /\b(?:SELECT\b[\s\S]{1,200}?\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i,
  },
  {
    what: 'a database error',
    pattern:
      /syntax error at or near|You have an error in your SQL syntax|\bSQLSTATE\b|\bER_[A-Z_]{4,}\b|violates (?:foreign key|unique|check|not-null) constraint|invalid input syntax for|\bE11000\b|MongoServerError|\bCastError\b|relation "[^"]+" does not exist/,
  },
];

function header(response: RawResponse, name: string): string {
  return response.headers[name] ?? '';
}

function parsed(response: RawResponse): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(response.body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value))
      : undefined;
  } catch {
    return undefined;
  }
}

const pathOf = (target: string) => target.split('?')[0] ?? target;

/** What is wrong with a 4xx answer's form, or undefined. */
function wrongRefusal(request: FuzzRequest, response: RawResponse): string | undefined {
  const type = header(response, 'content-type');
  const body = parsed(response);
  const problem = /^application\/problem\+json\b/.test(type) && typeof body?.['code'] === 'string';
  if (OAUTH_ENDPOINTS.has(pathOf(request.target))) {
    const oauth =
      /^application\/json\b/.test(type) &&
      typeof body?.['error'] === 'string' &&
      (body['error_description'] === undefined || typeof body['error_description'] === 'string');
    // The gateway refuses some requests before ms-auth sees them (too large, rate limit):
    // its problem+json has no `instance`, which every service-made problem carries.
    const fromGateway = problem && body?.['instance'] === undefined;
    return oauth || fromGateway
      ? undefined
      : `a ${response.status} from an OAuth endpoint that is not RFC 6749 JSON`;
  }
  return problem ? undefined : `a ${response.status} that is not problem+json with a code`;
}

/** The body with the fuzzer's own injection strings removed (raw and as JSON escapes them). */
function withoutOwnStrings(text: string): string {
  let rest = text;
  for (const injected of INJECTION_STRINGS) {
    for (const form of [injected, JSON.stringify(injected).slice(1, -1)]) rest = rest.split(form).join(' ');
  }
  return rest;
}

export function leakIn(text: string): string | undefined {
  const rest = withoutOwnStrings(text);
  return LEAKS.find((leak) => leak.pattern.test(rest))?.what;
}

/** The methods the services' router implements; another one is answered 501 (RFC 9110 §15.6.2). */
const IMPLEMENTED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function isUnknownMethodAnswer(request: FuzzRequest, response: RawResponse): boolean {
  return (
    response.status === 501 &&
    !IMPLEMENTED_METHODS.has(request.method) &&
    parsed(response)?.['code'] === 'not_implemented'
  );
}

/**
 * HAProxy 2.6 answers a request head larger than its buffer (tune.bufsize, 128 KiB) with its
 * built-in HTML 400, ignoring errorfile (a documented limit in gateway/haproxy.cfg; HAProxy 3.3
 * sends errors/400.http). Heads between 8 KiB and 128 KiB do get the gateway's 414/431 problem.
 */
const GATEWAY_BUFFER_BYTES = 128 * 1024;

function isGatewayBufferOverflow(request: FuzzRequest, response: RawResponse): boolean {
  const headBytes =
    Buffer.byteLength(request.target) +
    Object.entries(request.headers).reduce(
      (sum, [name, value]) => sum + name.length + Buffer.byteLength(value) + 4,
      0,
    );
  return (
    response.status === 400 &&
    headBytes > GATEWAY_BUFFER_BYTES &&
    response.body.toString('latin1').startsWith('<html><body><h1>400 Bad request</h1>')
  );
}

/** The first violated oracle, or undefined when the answer is acceptable. */
export function violation(request: FuzzRequest, outcome: Outcome): string | undefined {
  if (outcome.kind !== 'response')
    return `no answer: the connection ${outcome.kind === 'closed' ? 'was closed' : 'timed out'} after ${outcome.ms} ms`;
  const { response } = outcome;
  // The one 5xx that is no server error: "I do not know this method" (TRACE, PROPFIND).
  if (response.status >= 500 && !isUnknownMethodAnswer(request, response)) {
    return `a ${response.status} (server error)`;
  }
  if (response.status >= 400 && response.status < 500 && !isGatewayBufferOverflow(request, response)) {
    const wrong = wrongRefusal(request, response);
    if (wrong) return wrong;
  }
  const leak = leakIn(response.body.toString('utf8'));
  return leak ? `the body leaks ${leak}` : undefined;
}
