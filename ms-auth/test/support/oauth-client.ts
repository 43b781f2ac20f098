import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import { SECRETS, type ClientId } from './auth-harness.js';

export function basicAuth(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

export const basicFor = (clientId: ClientId) => basicAuth(clientId, SECRETS[clientId]);

/** POSTs a form; `as` authenticates with HTTP Basic as that client (or sends no credentials when undefined). */
export function postForm(
  url: string,
  form: Record<string, string>,
  options: { as?: ClientId; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as !== undefined) headers['authorization'] = basicFor(options.as);
  return httpRequest(url, { method: 'POST', headers, body: new URLSearchParams(form) });
}

/** A string field of a JSON body, or undefined. */
export function field(response: JsonResponse, name: string): unknown {
  const { body } = response;
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}

export function stringField(response: JsonResponse, name: string): string {
  const value = field(response, name);
  if (typeof value !== 'string') throw new Error(`response has no string ${name}: ${response.text}`);
  return value;
}
