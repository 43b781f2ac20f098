import { tooManyRequests } from '@marketshare/platform';

/**
 * A per-client fixed window, a second line behind the gateway's per-IP limit. It counts
 * after client authentication, which the platform's limiter (keyed before the body is read)
 * cannot see.
 */
export class ClientRateLimit {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly options: { windowMs: number; max: number }) {}

  hit(clientId: string): void {
    const now = Date.now();
    let window = this.windows.get(clientId);
    if (!window || now - window.startedAt >= this.options.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(clientId, window);
    }
    window.count += 1;
    if (window.count > this.options.max) {
      throw tooManyRequests((window.startedAt + this.options.windowMs - now) / 1000);
    }
  }
}
