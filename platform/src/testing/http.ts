import type Koa from 'koa';
import { listen, type ListeningServer } from '../server.js';

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A small client for tests: JSON in, parsed JSON (or text) out. */
export async function httpRequest(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    json?: unknown;
    body?: string | URLSearchParams;
  } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | URLSearchParams | undefined = init.body;
  if (init.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Serves a Koa app on a random 127.0.0.1 port for the duration of a test. */
export function serveForTest<S>(app: Koa<S>): Promise<ListeningServer> {
  return listen(app, '127.0.0.1', 0);
}
