import { createLogger } from '@marketshare/platform';
import type { Logger } from '@marketshare/platform';

let root: Logger | undefined;

/** The process logger (pino JSON, secrets redacted); configured once by the init hook. */
export function logger(): Logger {
  root ??= createLogger({ service: 'frontend', level: process.env['LOG_LEVEL'] ?? 'info' });
  return root;
}

export function configureLogger(level: string): void {
  root = createLogger({ service: 'frontend', level });
}
