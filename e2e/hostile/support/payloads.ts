/** The hostile bodies: nested JSON, bytes that are not UTF-8, oversized fillers, multipart forms. */
import type { RequestSpec } from '@marketshare/platform/testing';
import { at, stall, type Act, type Row } from './rows.js';

/** `[[[…]]]`, `depth` arrays deep (two bytes per level). */
export const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** The deepest nesting that fits a body limit with room for the rest of the body. */
export const depthWithin = (limitBytes: number, maxDepth = 100_000): number =>
  Math.min(maxDepth, Math.floor((limitBytes - 1024) / 2));

/** A lone lead byte, a lead byte followed by ASCII, and two bytes never valid in UTF-8. */
export const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0xff, 0xfe]);
/** The same bytes percent-encoded for a query string or a path. */
export const INVALID_UTF8_PERCENT = '%C3%28%E2%82%FF%FE';
/** The same bytes raw in a request target (one latin1 char per byte). */
export const INVALID_UTF8_RAW = INVALID_UTF8.toString('latin1');

/**
 * JSON.stringify(value), then each `"@@NAME@@"` (with its quotes) or `@@NAME@@` (inside a string)
 * replaced by the bytes given: how a nested array or raw invalid bytes get into a valid body.
 */
export function jsonBytes(value: unknown, replacements: Record<string, string | Buffer>): Buffer {
  let parts: Buffer[] = [Buffer.from(JSON.stringify(value), 'utf8')];
  for (const [name, bytes] of Object.entries(replacements)) {
    const raw = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    parts = parts.flatMap((part) => {
      const text = part.toString('latin1');
      const quoted = `"@@${name}@@"`;
      const marker = text.includes(quoted) ? quoted : `@@${name}@@`;
      if (!text.includes(marker)) return [part];
      return text
        .split(marker)
        .flatMap((piece, index) =>
          index === 0 ? [Buffer.from(piece, 'latin1')] : [raw, Buffer.from(piece, 'latin1')],
        );
    });
  }
  return Buffer.concat(parts);
}

export const JSON_TYPE = { 'content-type': 'application/json' };
export const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/** A JSON body of exactly `bytes` bytes: `{"filler":"xxx…"}`. */
export const jsonFiller = (bytes: number): string => `{"filler":"${'x'.repeat(Math.max(0, bytes - 14))}"}`;
/** A form body of exactly `bytes` bytes: `token=xxx…`. */
export const formFiller = (bytes: number): string => `token=${'x'.repeat(Math.max(0, bytes - 6))}`;

/**
 * Oversized bodies, chunked or with a Content-Length: at least 256 KiB over the limit, more
 * than Node buffers for a paused request, so a body left unread stays on the socket.
 */
export function oversized(
  spec: Omit<RequestSpec, 'body'>,
  limitBytes: number,
  filler: (bytes: number) => string,
) {
  const body = filler(limitBytes + Math.max(Math.ceil(limitBytes / 4), 256 * 1024));
  return {
    chunked: (): RequestSpec => ({ ...spec, body, chunkBytes: 8 * 1024 }),
    fixedLength: (): RequestSpec => ({ ...spec, body }),
  };
}

export const BOUNDARY = 'HostileFormBoundary7MA4YWxkTrZu0gW';
export const MULTIPART_TYPE = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
/** The closing boundary: a body stopped before it is a truncated form. */
export const CLOSING_BOUNDARY = `\r\n--${BOUNDARY}--`;
/** Inside the file part's headers. */
export const FILE_PART_HEADER = 'Content-Disposition: form-data; name="image"; filename="flange.png"';

/** An upload form: an alt text field, then the image file, then the closing boundary. */
export function imageForm(png: Buffer, alt: string | Buffer = 'A flange, seen from above'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="alt"\r\n\r\n`),
    Buffer.from(alt),
    Buffer.from(`\r\n--${BOUNDARY}\r\n${FILE_PART_HEADER}\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`${CLOSING_BOUNDARY}\r\n`),
  ]);
}

/** The form cut at `offset` but with an honest Content-Length: complete for HTTP, not for multipart. */
export function truncatedForm(png: Buffer, offset: (form: Buffer) => number): Buffer {
  const form = imageForm(png);
  return form.subarray(0, offset(form));
}

/** Longer than a normal request takes, far below the server's headers timeout. */
export const STALL_MS = 1_500;

/** Slow headers: half the headers, a pause, then the rest (answered) or never (the client leaves). */
export function slowHeaderRows(
  request: Row['request'],
  finished: Extract<Act, { kind: 'answer' }>['expect'],
): Row[] {
  return [
    {
      name: 'slow headers: half the headers, a pause, then the rest',
      request,
      act: stall(at.halfHeaders, STALL_MS, { finish: finished }),
    },
    {
      name: 'slow headers: half the headers, a pause, then the client leaves',
      request,
      act: stall(at.halfHeaders, STALL_MS, 'leave'),
    },
  ];
}
