/**
 * One bounded request of the matrix, to the gateway or straight to a service, with the answer's
 * status and (for anything but an event stream) its body. A stream is cancelled once its head
 * has arrived: the status is all the matrix asks of it, and an open order stream never ends.
 */
import type { HttpMethod, RequestBody } from './types.js';

export interface SendOptions extends RequestBody {
  method: HttpMethod;
  path: string;
  token: string | undefined;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

function encodedBody(options: RequestBody): { body?: string | FormData; contentType?: string } {
  if (options.multipart) return { body: options.multipart };
  if (options.form) {
    return {
      body: new URLSearchParams(options.form).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  if (options.json !== undefined)
    return { body: JSON.stringify(options.json), contentType: 'application/json' };
  return {};
}

export async function send(baseUrl: string, options: SendOptions): Promise<Answer> {
  const { body, contentType } = encodedBody(options);
  const headers: Record<string, string> = { ...options.headers };
  if (contentType) headers['content-type'] = contentType;
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${options.path}`, {
    method: options.method.toUpperCase(),
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, contentType: type, body: undefined, text: '(event stream)' };
  }
  const text = type.startsWith('image/') ? `(${type})` : await response.text();
  if (type.startsWith('image/')) await response.body?.cancel().catch(() => undefined);
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, contentType: type, body: parsed, text };
}
