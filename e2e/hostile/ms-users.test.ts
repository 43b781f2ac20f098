/**
 * Hostile clients against the running ms-users: JSON bodies up to BODY_LIMIT_BYTES (1 MiB by
 * default) on registration, profile updates and password resets. No account, reset token or
 * throttle row may appear or change.
 */
import { randomUUID } from 'node:crypto';
import type { HostileWorld } from './support/hostile-world.js';
import type { NumericParam } from './support/numeric.js';
import {
  INVALID_UTF8,
  INVALID_UTF8_PERCENT,
  INVALID_UTF8_RAW,
  JSON_TYPE,
  depthWithin,
  jsonBytes,
  jsonFiller,
  nestedArrays,
  oversized,
  slowHeaderRows,
} from './support/payloads.js';
import type { RequestSpec } from '@marketshare/platform/testing';
import { hostileTable } from './support/row-runner.js';
import { answer, at, cut, cutResponse, refusedAsTooLarge, type Row } from './support/rows.js';

const LIMIT = 1024 * 1024;

const post = (target: string, body: Buffer | string, headers: Record<string, string> = {}): RequestSpec => ({
  method: 'POST',
  target,
  headers: { ...JSON_TYPE, ...headers },
  body,
});

/** A registration that would succeed, with `@@X@@` markers the row fills in. */
const registration = (fields: Record<string, string> = {}) => {
  const tag = randomUUID().slice(0, 8);
  return {
    role: 'consumer',
    companyName: `Hostile ${tag} GmbH`,
    username: `hostile_${tag}`,
    email: `${tag}@hostile.test`,
    password: 'correct horse battery staple',
    ...fields,
  };
};
const register = (body: () => Buffer | string) => () => post('/api/users', body());

const resetConfirm = { method: 'POST', target: '/api/users/password-reset/confirm', headers: JSON_TYPE };
const tooBigReset = (kind: 'chunked' | 'fixedLength') => () =>
  oversized(resetConfirm, LIMIT, jsonFiller)[kind]();
const tooBigRegistration = (kind: 'chunked' | 'fixedLength') => () =>
  oversized({ method: 'POST', target: '/api/users', headers: JSON_TYPE }, LIMIT, jsonFiller)[kind]();
const bearer = (w: HostileWorld) => ({ authorization: `Bearer ${w.seller.token}` });
const DEPTH = depthWithin(LIMIT);

const rows: Row[] = [
  {
    name: 'chunked body over 1 MiB on POST /api/users/password-reset/confirm → 413, then the same socket',
    request: tooBigReset('chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 1 MiB on POST /api/users/password-reset/confirm → 413, then the same socket',
    request: tooBigReset('fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 1 MiB on POST /api/users → 413, then the same socket',
    request: tooBigRegistration('chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 1 MiB on POST /api/users → 413, then the same socket',
    request: tooBigRegistration('fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 1 MiB on POST /api/users/password-reset/confirm → 413, then the same socket',
    viaGateway: true,
    request: tooBigReset('chunked'),
    act: refusedAsTooLarge('4xx'),
  },
  {
    name: 'registration: the client leaves mid-body (Content-Length larger than sent)',
    request: register(() => JSON.stringify(registration())),
    act: cut(at.body(0.5)),
  },
  {
    name: 'registration: the client leaves after the headers, before the body',
    request: register(() => JSON.stringify(registration())),
    act: cut(at.headersEnd),
  },
  {
    name: 'registration: the client leaves mid-headers',
    request: register(() => JSON.stringify(registration())),
    act: cut(at.halfHeaders),
  },
  {
    name: `${DEPTH} nested JSON arrays as the registration body → 400`,
    request: register(() => nestedArrays(DEPTH)),
    act: answer(400),
  },
  {
    name: `${DEPTH} nested JSON arrays as the company name → 400`,
    request: register(() =>
      jsonBytes(registration({ companyName: '@@NEST@@' }), { NEST: nestedArrays(DEPTH) }),
    ),
    act: answer(400),
  },
  {
    name: `${DEPTH} nested JSON arrays as the registration body → 400`,
    viaGateway: true,
    request: register(() => nestedArrays(DEPTH)),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 bytes in the company name of a registration → 400',
    request: register(() =>
      jsonBytes(registration({ companyName: 'Acme @@BAD@@ GmbH' }), { BAD: INVALID_UTF8 }),
    ),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 bytes in a JSON key of a registration → 400',
    request: register(() => jsonBytes({ ...registration(), '@@BAD@@': 'x' }, { BAD: INVALID_UTF8 })),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 bytes in the display name of PATCH /api/users/me → 400',
    request: (w) => ({
      ...post(
        '/api/users/me',
        jsonBytes({ displayName: 'Hostile @@BAD@@' }, { BAD: INVALID_UTF8 }),
        bearer(w),
      ),
      method: 'PATCH',
    }),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in a seller id → 400 naming params.id',
    request: () => ({ method: 'GET', target: `/api/users/sellers/${INVALID_UTF8_PERCENT}` }),
    act: answer(400, 'params.id'),
  },
  {
    name: 'invalid UTF-8 (raw bytes) in a seller id → 4xx',
    request: () => ({ method: 'GET', target: `/api/users/sellers/${INVALID_UTF8_RAW}` }),
    act: answer('4xx'),
  },
  {
    name: 'the client leaves mid-response (the OpenAPI document)',
    request: () => ({ method: 'GET', target: '/api/users/openapi.json' }),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (a seller profile)',
    viaGateway: true,
    request: (w) => ({ method: 'GET', target: `/api/users/sellers/${w.seller.id}` }),
    act: cutResponse(16),
  },
  ...slowHeaderRows((w) => ({ method: 'GET', target: `/api/users/sellers/${w.seller.id}` }), { status: 200 }),
];

const numeric: NumericParam[] = [
  // The admin account search.
  { path: '/api/users', name: 'limit', type: 'integer', minimum: 1, maximum: 100, as: 'admin' },
];

hostileTable('ms-users', { stores: ['users'], apiName: 'users', numeric }, rows);
