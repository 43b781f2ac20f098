/**
 * Hostile clients against the running ms-email. It has no public API (probes, /metrics and an
 * empty OpenAPI document), so the rows aim at what any HTTP server must survive: bodies nobody
 * reads, clients that leave, slow headers, paths that are not UTF-8. It stores nothing over HTTP.
 */
import {
  INVALID_UTF8_PERCENT,
  INVALID_UTF8_RAW,
  JSON_TYPE,
  jsonFiller,
  nestedArrays,
  oversized,
  slowHeaderRows,
} from './support/payloads.js';
import { hostileTable } from './support/row-runner.js';
import { answer, at, cut, cutResponse, refusedAsTooLarge, type Row } from './support/rows.js';

const LIMIT = 1024 * 1024;
const unrouted = { method: 'POST', target: '/api/email/openapi.json', headers: JSON_TYPE };
const tooBig = (kind: 'chunked' | 'fixedLength') => () => oversized(unrouted, LIMIT, jsonFiller)[kind]();
const get = (target: string) => () => ({ method: 'GET', target });

const rows: Row[] = [
  {
    name: 'chunked body over 1 MiB that no route reads → 4xx, then the same socket',
    request: tooBig('chunked'),
    act: refusedAsTooLarge('4xx'),
  },
  {
    name: 'fixed-length body over 1 MiB that no route reads → 4xx, then the same socket',
    request: tooBig('fixedLength'),
    act: refusedAsTooLarge('4xx'),
  },
  {
    name: '100000 nested JSON arrays that no route reads → 4xx',
    request: () => ({ ...unrouted, body: nestedArrays(100_000) }),
    act: answer('4xx'),
  },
  {
    name: 'the client leaves mid-body (Content-Length larger than sent)',
    request: () => ({ ...unrouted, body: jsonFiller(4096) }),
    act: cut(at.body(0.5)),
  },
  { name: 'the client leaves mid-headers', request: get('/readyz'), act: cut(at.halfHeaders) },
  {
    name: 'invalid UTF-8 (percent-encoded) in the path → 4xx',
    request: get(`/api/email/${INVALID_UTF8_PERCENT}`),
    act: answer('4xx'),
  },
  {
    name: 'invalid UTF-8 (raw bytes) in the path → 4xx',
    request: get(`/api/email/${INVALID_UTF8_RAW}`),
    act: answer('4xx'),
  },
  { name: 'the client leaves mid-response (/metrics)', request: get('/metrics'), act: cutResponse(64) },
  {
    name: 'the client leaves mid-response (the OpenAPI document)',
    request: get('/api/email/openapi.json'),
    act: cutResponse(16),
  },
  ...slowHeaderRows(get('/api/email/openapi.json'), { status: 200 }),
];

hostileTable('ms-email', { stores: [], apiName: 'email', numeric: [] }, rows);
