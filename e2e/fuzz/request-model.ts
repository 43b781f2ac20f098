/**
 * A fuzzed request in two forms: its parts (path parameters, query pairs, headers and a body
 * value, what mutations work on) and the exact request sent (method, target, headers, body
 * bytes, printed on a failure so it can be pasted into a hostile table as a regression row).
 */
import { membersOf, toJsonText, toParameterText } from './json-text.js';
import type { BodyMediaType, Operation } from './openapi-model.js';

/** Who sends it: a principal's bearer token, the first-party client's Basic credentials, or no one. */
export type Credential = 'anonymous' | 'consumer' | 'seller' | 'admin' | 'client';

// `as const`: the names as literal types, so Mutation is their union.
export const MUTATIONS = [
  'valid',
  'wrong-type',
  'boundary-number',
  'hostile-string',
  'operator-injection',
  'prototype-keys',
  'duplicate-keys',
  'deep-nesting',
  'wrong-content-type',
  'malformed-body',
  'oversized-body',
  'missing-required',
  'extra-field',
  'bad-auth',
  'wrong-method',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Text for a target: `encoded` when it is already percent-encoded (hostile bytes kept as they are). */
export interface TargetText {
  text: string;
  encoded?: boolean;
}

export interface QueryPair {
  name: TargetText;
  value: TargetText;
}

/** The body as bytes the generator chose (malformed, oversized, another content type). */
export interface RawBody {
  bytes: string | Buffer;
  contentType?: string;
  /** Sent with Transfer-Encoding: chunked (no Content-Length for the gateway to judge). */
  chunked?: boolean;
}

export interface RequestParts {
  method: string;
  pathParams: Record<string, TargetText>;
  query: QueryPair[];
  headers: Record<string, string>;
  /** A JSON value or form fields (RawJson and JsonPairs allowed), or undefined for none. */
  body?: unknown;
  rawBody?: RawBody;
  /** Overrides the media type of the body (a wrong content type). */
  contentType?: string;
}

export interface FuzzRequest {
  service: string;
  /** The documented operation it was made from, e.g. `GET /api/products/{id}`. */
  operation: string;
  mutation: Mutation;
  as: Credential;
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
}

const percent = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) becomes the three bytes
 * WTF-8 gives it, percent-encoded: the server sees bytes that are not UTF-8, as a hostile
 * client would send them.
 */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    encoded +=
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map(percent).join('')
        : encodeURIComponent(char);
  }
  return encoded;
}

const encode = (part: TargetText): string => (part.encoded ? part.text : percentEncode(part.text));

export function targetOf(path: string, parts: RequestParts): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = parts.pathParams[name];
    return value === undefined ? '' : encode(value);
  });
  const query = parts.query.map((pair) => `${encode(pair.name)}=${encode(pair.value)}`).join('&');
  return query === '' ? filled : `${filled}?${query}`;
}

function formText(body: unknown): string {
  return membersOf(body)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(toParameterText(value))}`)
    .join('&');
}

export function bodyText(mediaType: BodyMediaType, body: unknown): string {
  return mediaType === 'application/json' ? toJsonText(body) : formText(body);
}

/** The request as sent, from its parts; the credential is resolved into a header by the runner. */
export function finalize(
  operation: Operation,
  parts: RequestParts,
  mutation: Mutation,
  as: Credential,
): FuzzRequest {
  const headers = { ...parts.headers };
  const mediaType = operation.body?.mediaType ?? 'application/json';
  let body: string | Buffer | undefined;
  let chunked: boolean | undefined;
  if (parts.rawBody) {
    body = parts.rawBody.bytes;
    chunked = parts.rawBody.chunked;
    if (parts.rawBody.contentType !== undefined) headers['content-type'] = parts.rawBody.contentType;
  } else if (parts.body !== undefined) {
    body = bodyText(mediaType, parts.body);
    headers['content-type'] = mediaType;
  }
  if (parts.contentType !== undefined) {
    if (parts.contentType === '') delete headers['content-type'];
    else headers['content-type'] = parts.contentType;
  }
  return {
    service: operation.service,
    operation: `${operation.method} ${operation.path}`,
    mutation,
    as,
    method: parts.method,
    target: targetOf(operation.path, parts),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(chunked ? { chunked } : {}),
  };
}

/** The request as a reader (or a regression row) wants it: bodies cut to a readable size. */
export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : Buffer.isBuffer(request.body)
        ? `\n  body (base64, ${request.body.length} bytes): ${request.body.toString('base64').slice(0, 600)}`
        : `\n  body (${Buffer.byteLength(request.body)} bytes${request.chunked ? ', chunked' : ''}): ${JSON.stringify(request.body.slice(0, 600))}`;
  const target =
    request.target.length > 600
      ? `${request.target.slice(0, 600)}… (${request.target.length} chars)`
      : request.target;
  return [
    `${request.method} ${target}   [${request.mutation} of ${request.operation} as ${request.as}]`,
    `  headers: ${JSON.stringify(request.headers).slice(0, 600)}${body}`,
  ].join('\n');
}
