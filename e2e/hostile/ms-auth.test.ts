/**
 * Hostile clients against the running ms-auth: the OAuth endpoints take form bodies up to
 * 16 KiB. ms-auth asks ms-users to check passwords, so ms-users' store must not change either.
 */
import { randomUUID } from 'node:crypto';
import type { HostileWorld } from './support/hostile-world.js';
import {
  FORM_TYPE,
  INVALID_UTF8,
  INVALID_UTF8_PERCENT,
  INVALID_UTF8_RAW,
  JSON_TYPE,
  formFiller,
  depthWithin,
  nestedArrays,
  oversized,
  slowHeaderRows,
} from './support/payloads.js';
import type { RequestSpec } from '@marketshare/platform/testing';
import { hostileTable } from './support/row-runner.js';
import { answer, at, cut, cutResponse, refusedAsTooLarge, type Row } from './support/rows.js';

const LIMIT = 16 * 1024;

const oauth = (endpoint: 'token' | 'revoke' | 'introspect') => (w: HostileWorld) => ({
  method: 'POST',
  target: `/api/auth/${endpoint}`,
  headers: { authorization: w.frontendBasic, ...FORM_TYPE },
});

/** An oversized body for one endpoint, chunked or with a Content-Length. */
const tooBig =
  (endpoint: 'token' | 'revoke' | 'introspect', kind: 'chunked' | 'fixedLength') => (w: HostileWorld) =>
    oversized(oauth(endpoint)(w), LIMIT, formFiller)[kind]();

/** A password grant for an unknown user, its body as given. */
const passwordGrant =
  (body: Buffer | string) =>
  (w: HostileWorld): RequestSpec => ({ ...oauth('token')(w), body });
const grantFor = (username: string | Buffer) =>
  Buffer.concat([
    Buffer.from('grant_type=password&username='),
    Buffer.from(username),
    Buffer.from('&password=not-the-password'),
  ]);

const rows: Row[] = [
  {
    name: 'chunked body over 16 KiB on POST /api/auth/revoke → 413, then the same socket',
    request: tooBig('revoke', 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 16 KiB on POST /api/auth/revoke → 413, then the same socket',
    request: tooBig('revoke', 'fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 16 KiB on POST /api/auth/token → 413, then the same socket',
    request: tooBig('token', 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 16 KiB on POST /api/auth/token → 413, then the same socket',
    request: tooBig('token', 'fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 16 KiB on POST /api/auth/introspect → 413, then the same socket',
    request: tooBig('introspect', 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 16 KiB on POST /api/auth/revoke → 413, then the same socket',
    viaGateway: true,
    request: tooBig('revoke', 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'token request: the client leaves mid-body (Content-Length larger than sent)',
    request: passwordGrant(grantFor(`nobody_${randomUUID()}`)),
    act: cut(at.body(0.5)),
  },
  {
    name: 'token request: the client leaves after the headers, before the body',
    request: passwordGrant(grantFor('nobody')),
    act: cut(at.headersEnd),
  },
  {
    name: 'token request: the client leaves mid-headers',
    request: passwordGrant(grantFor('nobody')),
    act: cut(at.halfHeaders),
  },
  {
    name: 'password grant with a percent-encoded invalid UTF-8 username → 400',
    request: passwordGrant(grantFor(INVALID_UTF8_PERCENT)),
    act: answer(400),
  },
  {
    name: 'password grant with raw invalid UTF-8 bytes in the form → 400',
    request: passwordGrant(grantFor(INVALID_UTF8)),
    act: answer(400),
  },
  {
    name: `JSON nested ${depthWithin(LIMIT)} arrays deep to POST /api/auth/token → 4xx (it takes forms only)`,
    request: (w) => ({
      ...oauth('token')(w),
      headers: { authorization: w.frontendBasic, ...JSON_TYPE },
      body: nestedArrays(depthWithin(LIMIT)),
    }),
    act: answer('4xx'),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in the path → 4xx',
    request: () => ({ method: 'GET', target: `/.well-known/${INVALID_UTF8_PERCENT}` }),
    act: answer('4xx'),
  },
  {
    name: 'invalid UTF-8 (raw bytes) in the path → 4xx',
    request: () => ({ method: 'GET', target: `/.well-known/${INVALID_UTF8_RAW}` }),
    act: answer('4xx'),
  },
  {
    name: 'the client leaves mid-response (the OpenAPI document)',
    request: () => ({ method: 'GET', target: '/api/auth/openapi.json' }),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (/metrics)',
    request: () => ({ method: 'GET', target: '/metrics' }),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (the JWKS)',
    viaGateway: true,
    request: () => ({ method: 'GET', target: '/.well-known/jwks.json' }),
    act: cutResponse(16),
  },
  ...slowHeaderRows(() => ({ method: 'GET', target: '/.well-known/jwks.json' }), { status: 200 }),
];

hostileTable('ms-auth', { stores: ['auth', 'users'], apiName: 'auth', numeric: [] }, rows);
