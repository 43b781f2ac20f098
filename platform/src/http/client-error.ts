import type { Server } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What Node's parser refusals mean to a client, as our problem codes (its own choice of status). */
function problemFor(code: string | undefined): {
  status: number;
  title: string;
  code: string;
  detail: string;
} {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        title: 'Request Header Fields Too Large',
        code: 'headers_too_large',
        detail: 'The request head is too large.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        status: 413,
        title: 'Content Too Large',
        code: 'payload_too_large',
        detail: 'The chunk extensions are too large.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        title: 'Request Timeout',
        code: 'request_timeout',
        detail: 'The request took too long.',
      };
    default:
      return {
        status: 400,
        title: 'Bad Request',
        code: 'bad_request',
        detail: 'The request is not valid HTTP.',
      };
  }
}

/**
 * Requests Node's HTTP parser refuses (a control character in a header value, a malformed
 * chunk, a head too large) never reach Koa; by default Node answers them with a bare status
 * line. Answered here as problem+json like every other refusal, then the connection is closed
 * (the parser cannot find the next request on it).
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    const untouched = socket instanceof Socket && socket.bytesWritten === 0;
    if (!socket.writable || !untouched) {
      socket.destroy(error);
      return;
    }
    const problem = problemFor(error.code);
    const body = JSON.stringify({ type: `urn:marketshare:problem:${problem.code}`, ...problem });
    socket.end(
      [
        `HTTP/1.1 ${problem.status} ${problem.title}`,
        'Content-Type: application/problem+json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
      () => socket.destroy(),
    );
  });
}
