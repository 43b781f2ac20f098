import type { Logger } from 'pino';

/**
 * Crash-only: an exception nothing caught, or a rejection nothing awaited, means the process is
 * in a state no code planned for. It is logged with what is known and the process exits
 * non-zero at once, so the supervisor (the local stack's, or Kubernetes) starts a clean one,
 * instead of serving on with a half-open connection or a lost lock.
 */
export function installCrashHandlers(logger: Logger, exit: (code: number) => void = process.exit): void {
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin, pid: process.pid }, 'uncaught exception: exiting');
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason, pid: process.pid }, 'unhandled promise rejection: exiting');
    exit(1);
  });
}
