import type { IncomingMessage, ServerResponse } from 'node:http';

// For contract stand-ins of other services in tests: plain node:http servers that answer
// exactly what the real service answers (services never import each other).

/** The whole request body as text. */
export async function readRequestText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON answer. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A problem+json answer shaped as the platform's error middleware shapes it. */
export function sendProblem(
  response: ServerResponse,
  status: number,
  code: string,
  extensions: Record<string, unknown> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: `urn:marketshare:problem:${code}`, status, code, ...extensions }));
}
