import { tooManyRequests } from '../errors.js';
import type { AppContext } from './context.js';

export interface RateLimiter {
  /** Counts one request; throws 429 with Retry-After when the key is over its budget. */
  hit(ctx: AppContext): void;
}

/**
 * A fixed-window limiter kept in this process's memory: a second line behind the gateway's
 * limits, per instance. Keys default to the client address.
 */
export function fixedWindowRateLimit(options: {
  windowMs: number;
  max: number;
  key?: (ctx: AppContext) => string;
}): RateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return {
    hit(ctx) {
      const now = Date.now();
      const key = options.key?.(ctx) ?? ctx.ip;
      let window = windows.get(key);
      if (!window || now - window.startedAt >= options.windowMs) {
        if (windows.size > 10_000) windows.clear();
        window = { startedAt: now, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count > options.max) {
        throw tooManyRequests((window.startedAt + options.windowMs - now) / 1000);
      }
    },
  };
}
