/**
 * Runs work for one key at a time within this process; work for other keys runs freely.
 * The consumer keys by event id, so duplicates that arrive together do not both pass the
 * idempotency check before either is marked.
 */
export class KeyedSerializer {
  private readonly running = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    for (let pending = this.running.get(key); pending; pending = this.running.get(key)) {
      await pending.catch(() => undefined);
    }
    const current = work();
    this.running.set(key, current);
    try {
      return await current;
    } finally {
      if (this.running.get(key) === current) this.running.delete(key);
    }
  }
}
