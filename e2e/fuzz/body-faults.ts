/**
 * Bodies that are wrong as a whole: another content type for a valid body, bytes that are not
 * the declared format (truncated, not UTF-8, not JSON at all, a broken multipart form), and
 * bodies over the 1 MiB limit, with a Content-Length (the gateway judges) or chunked (the
 * service does).
 */
import fc from 'fast-check';
import type { Operation } from './openapi-model.js';
import { bodyText, type RawBody, type RequestParts } from './request-model.js';

const LIMIT_BYTES = 1024 * 1024;

/** Content types a client may get wrong; '' sends none. */
export function contentTypeFaults(operation: Operation): fc.Arbitrary<string> {
  const other =
    operation.body?.mediaType === 'application/x-www-form-urlencoded'
      ? 'application/json'
      : 'application/x-www-form-urlencoded';
  return fc.constantFrom(
    '',
    other,
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=fuzz',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/merge-patch+json',
    'application/json, text/plain',
    '*/*',
    'application/octet-stream',
    'APPLICATION/JSON',
    'application/json; charset="utf-8"; boundary=x',
  );
}

const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]);

const MULTIPART = (boundary: string, part: string) => `--${boundary}\r\n${part}\r\n--${boundary}--\r\n`;

/** Texts that are not what any JSON or form route can take. */
const MALFORMED_TEXTS: readonly RawBody[] = [
  { bytes: '', contentType: 'application/json' },
  { bytes: '{', contentType: 'application/json' },
  { bytes: '{"a":', contentType: 'application/json' },
  { bytes: '{"a":1,}', contentType: 'application/json' },
  { bytes: "{'a':1}", contentType: 'application/json' },
  { bytes: '{"a":NaN}', contentType: 'application/json' },
  { bytes: '{"a":1}/*comment*/', contentType: 'application/json' },
  { bytes: '{"a":1}{"b":2}', contentType: 'application/json' },
  { bytes: '\uFEFF{"a":1}', contentType: 'application/json' },
  { bytes: 'null', contentType: 'application/json' },
  { bytes: '[]', contentType: 'application/json' },
  { bytes: '"text"', contentType: 'application/json' },
  { bytes: '12', contentType: 'application/json' },
  { bytes: '{"a":"\\ud800"}', contentType: 'application/json' },
  { bytes: '{"a":"\\u0000"}', contentType: 'application/json' },
  { bytes: '{"a\\u0000b":1}', contentType: 'application/json' },
  { bytes: INVALID_UTF8, contentType: 'application/json' },
  { bytes: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]), contentType: 'application/json' },
  { bytes: '%ZZ=1', contentType: 'application/x-www-form-urlencoded' },
  { bytes: '=&=&&', contentType: 'application/x-www-form-urlencoded' },
  { bytes: 'grant_type=password&grant_type=refresh_token', contentType: 'application/x-www-form-urlencoded' },
  { bytes: 'a=%ED%A0%80', contentType: 'application/x-www-form-urlencoded' },
  { bytes: 'a[b][c]=1&a[__proto__][role]=admin', contentType: 'application/x-www-form-urlencoded' },
  { bytes: INVALID_UTF8, contentType: 'application/x-www-form-urlencoded' },
  { bytes: 'no boundary here', contentType: 'multipart/form-data' },
  {
    bytes: '--fuzz\r\nContent-Disposition: form-data; name="file"',
    contentType: 'multipart/form-data; boundary=fuzz',
  },
  {
    bytes: MULTIPART(
      'fuzz',
      'Content-Disposition: form-data; name="file"; filename="../../x.png"\r\nContent-Type: image/png\r\n\r\nnot a png',
    ),
    contentType: 'multipart/form-data; boundary=fuzz',
  },
  {
    bytes: MULTIPART('fuzz', 'Content-Disposition: form-data; name="__proto__"\r\n\r\nx'),
    contentType: 'multipart/form-data; boundary=fuzz',
  },
];

/** A JSON body of exactly `bytes` bytes (a long string member after the valid ones). */
function paddedJson(bytes: number): string {
  const head = '{"filler":"';
  return `${head}${'x'.repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

/** Built once: a fuzz run draws them thousands of times. */
const OVERSIZED: readonly RawBody[] = [
  { bytes: paddedJson(LIMIT_BYTES + 1), contentType: 'application/json' },
  { bytes: paddedJson(LIMIT_BYTES + 64 * 1024), contentType: 'application/json', chunked: true },
  // Under the limit: a big body the service must parse, then refuse on its schema.
  { bytes: paddedJson(900 * 1024), contentType: 'application/json' },
  { bytes: `token=${'x'.repeat(LIMIT_BYTES + 10)}`, contentType: 'application/x-www-form-urlencoded' },
];

function truncated(text: string): fc.Arbitrary<RawBody> {
  return fc
    .integer({ min: 0, max: Math.max(0, text.length - 1) })
    .map((cut) => ({ bytes: text.slice(0, cut), contentType: 'application/json' }));
}

export function bodyFaults(
  operation: Operation,
  parts: RequestParts,
  mutation: 'malformed-body' | 'oversized-body',
): fc.Arbitrary<RawBody> {
  if (mutation === 'oversized-body') return fc.constantFrom(...OVERSIZED);
  const choices = [fc.constantFrom(...MALFORMED_TEXTS)];
  if (operation.body && parts.body !== undefined) {
    const valid = bodyText(operation.body.mediaType, parts.body);
    if (operation.body.mediaType === 'application/json' && valid.length > 1) choices.push(truncated(valid));
    choices.push(fc.constant({ bytes: `${valid}garbage`, contentType: operation.body.mediaType }));
  }
  return fc.oneof(...choices);
}
