import type { IncomingMessage } from 'node:http';
import { HttpProblem } from '../errors.js';

/**
 * How much of a refused body is read and dropped so its connection stays usable for the next
 * request (HAProxy reuses server connections across clients). Past it the socket is closed.
 */
export const DISCARD_LIMIT_BYTES = 4 * 1024 * 1024;

const tooLarge = (limitBytes: number) =>
  new HttpProblem(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes.`);

const aborted = () => new HttpProblem(400, 'request_aborted', 'The request was aborted.');

/**
 * Reads and drops whatever of the request body is still to come, so the next request on the
 * connection is parsed as soon as this one's answer is out; a body longer than `limitBytes`
 * closes the connection instead. Safe to call more than once and on a finished request.
 */
export function discardRestOfBody(request: IncomingMessage, limitBytes = DISCARD_LIMIT_BYTES): void {
  // `complete` only says the last byte arrived; it may still wait in the stream's buffer.
  if (request.readableEnded || request.destroyed) return;
  let dropped = 0;
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limitBytes) {
      request.off('data', onData);
      request.socket.destroy();
    }
  };
  request.on('data', onData);
  // A client that goes away mid-body is not an error of ours.
  request.on('error', () => undefined);
  request.resume();
}

/**
 * Reads a whole request body into memory, refusing it (413) at `limitBytes` — announced by
 * Content-Length or counted while streaming. The refused rest is discarded (see above), so a
 * refusal never leaves bytes on the socket; a client that disconnects gets `request_aborted`.
 */
export function readRequestBytes(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limitBytes) {
    discardRestOfBody(request);
    return Promise.reject(tooLarge(limitBytes));
  }
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (outcome: () => void) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      finish(() => {
        discardRestOfBody(request);
        reject(tooLarge(limitBytes));
      });
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, received)));
    const onError = () => finish(() => reject(aborted()));
    const onClose = () => {
      if (!request.complete) finish(() => reject(aborted()));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
