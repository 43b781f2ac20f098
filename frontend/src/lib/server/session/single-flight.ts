/**
 * One refresh at a time per session inside this instance. Parallel page loads of one session
 * share the refresh in flight; requests that still carry the old cookie and arrive just after it
 * finished get the same result for `reuseMs` instead of presenting a used refresh token again
 * (which ms-auth would count as reuse).
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly done = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly reuseMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  run(key: string, work: () => Promise<T>): Promise<T> {
    const now = this.clock();
    for (const [old, entry] of this.done) if (entry.until <= now) this.done.delete(old);
    const recent = this.done.get(key);
    if (recent !== undefined) return Promise.resolve(recent.value);
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const started = work().then(
      (value) => {
        this.inflight.delete(key);
        this.done.set(key, { value, until: this.clock() + this.reuseMs });
        return value;
      },
      (error: unknown) => {
        this.inflight.delete(key);
        throw error;
      },
    );
    this.inflight.set(key, started);
    return started;
  }

  get size(): number {
    return this.inflight.size + this.done.size;
  }
}
