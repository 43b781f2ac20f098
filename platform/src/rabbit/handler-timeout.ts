/** A handler ran past its consumer's handlerTimeoutMs; the delivery counts as a failed attempt. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`handler timed out after ${timeoutMs} ms`);
  }
}

/** What became of a handler after its delivery had been given up on (for a log line). */
export type LateOutcome = { kind: 'resolved' } | { kind: 'rejected'; error: unknown };

/**
 * Runs `work` for at most `timeoutMs`. On time it settles as `work` does; past it, it rejects
 * with HandlerTimeoutError and aborts the signal handed to `work`, so a handler that listens
 * can give up its I/O. JavaScript cannot stop a promise, so the late handler keeps running;
 * whatever it eventually does is ignored by the consumer and only reported to `onLate`.
 */
export function runWithTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  onLate: (outcome: LateOutcome) => void,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  let running: Promise<T>;
  try {
    running = work(controller.signal);
  } catch (error) {
    // A handler that throws synchronously is just a failed attempt.
    return Promise.reject(error);
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      timedOut = true;
      const error = new HandlerTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    running.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) onLate({ kind: 'resolved' });
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (timedOut) onLate({ kind: 'rejected', error });
        else reject(error);
      },
    );
  });
}
