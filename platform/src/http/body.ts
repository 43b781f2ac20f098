import coBody from 'co-body';
import { HttpProblem } from '../errors.js';
import type { AppContext } from './context.js';

export type BodyFormat = 'json' | 'form';

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPES = ['application/x-www-form-urlencoded'];

/**
 * Reads a request body of the declared format within a byte limit. Oversized bodies are
 * refused while streaming (413) rather than after buffering them.
 */
export async function readBody(ctx: AppContext, format: BodyFormat, limitBytes: number): Promise<unknown> {
  const accepted = format === 'json' ? JSON_TYPES : FORM_TYPES;
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limitBytes) {
    throw new HttpProblem(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes.`);
  }
  if (!ctx.is(accepted)) {
    throw new HttpProblem(415, 'unsupported_media_type', `Send the body as ${accepted[0]}.`);
  }
  const text = await coBody.text(ctx.req, { limit: limitBytes, encoding: 'utf8' });
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpProblem(400, 'malformed_body', 'The request body is not valid JSON.');
    }
  }
  return parseForm(text);
}

/** OAuth (RFC 6749 §3.2) forbids repeated parameters, so they are refused, not merged. */
function parseForm(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, key)) {
      throw new HttpProblem(400, 'duplicate_parameter', `The parameter ${key} is repeated.`, {
        errors: [{ field: key, message: 'is repeated' }],
      });
    }
    fields[key] = value;
  }
  return fields;
}
