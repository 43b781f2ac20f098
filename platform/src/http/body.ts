import { isUtf8 } from 'node:buffer';
import { HttpProblem } from '../errors.js';
import type { AppContext } from './context.js';
import { discardRestOfBody, readRequestBytes } from './request-body.js';

export type BodyFormat = 'json' | 'form';

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPES = ['application/x-www-form-urlencoded'];
/** No request body of ours nests deeper; deeper ones only cost stack in whatever walks them. */
export const MAX_JSON_DEPTH = 32;

const malformed = (detail: string) => new HttpProblem(400, 'malformed_body', detail);

/**
 * Reads a request body of the declared format within a byte limit: UTF-8 only (invalid bytes
 * are refused, not replaced), no content coding, JSON nested at most MAX_JSON_DEPTH deep.
 */
export async function readBody(ctx: AppContext, format: BodyFormat, limitBytes: number): Promise<unknown> {
  const accepted = format === 'json' ? JSON_TYPES : FORM_TYPES;
  const unsupported = (detail: string) => new HttpProblem(415, 'unsupported_media_type', detail);
  const charset = ctx.request.charset.toLowerCase();
  const coding = (ctx.get('content-encoding') || 'identity').toLowerCase();
  const refusal = !ctx.is(accepted)
    ? unsupported(`Send the body as ${accepted[0]}.`)
    : charset !== '' && charset !== 'utf-8' && charset !== 'utf8'
      ? unsupported('Send the body in UTF-8.')
      : coding !== 'identity'
        ? unsupported('Send the body without a content coding.')
        : undefined;
  if (refusal) {
    // Not reading it would leave the body on the socket for the next request to trip over.
    discardRestOfBody(ctx.req);
    throw refusal;
  }
  const bytes = await readRequestBytes(ctx.req, limitBytes);
  if (!isUtf8(bytes)) throw malformed('The request body is not valid UTF-8.');
  const text = bytes.toString('utf8');
  if (format === 'form') return parseForm(text);
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw malformed(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw malformed('The request body is not valid JSON.');
  }
}

/** True when brackets outside strings nest deeper than `limit` (the JSON need not be valid). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return false;
}

/**
 * OAuth (RFC 6749 §3.2) forbids repeated parameters, so they are refused, not merged; a
 * percent-encoding that is not UTF-8 is refused rather than decoded to U+FFFD.
 */
function parseForm(text: string): Record<string, string> {
  // No prototype: a parameter named __proto__ is a field like any other.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const key = decodeFormComponent(rawKey, rawKey);
    const value = decodeFormComponent(rawValue, key);
    if (Object.hasOwn(fields, key)) {
      throw new HttpProblem(400, 'duplicate_parameter', `The parameter ${key} is repeated.`, {
        errors: [{ field: key, message: 'is repeated' }],
      });
    }
    fields[key] = value;
  }
  return fields;
}

function decodeFormComponent(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new HttpProblem(
      400,
      'malformed_body',
      `The parameter ${field} is not valid UTF-8 percent-encoding.`,
      {
        errors: [{ field, message: 'is not valid UTF-8 percent-encoding' }],
      },
    );
  }
}
