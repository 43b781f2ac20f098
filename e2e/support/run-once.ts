/**
 * A fixture built once, by the first test file that asks, and torn down after the whole run
 * (a root-level `after` hook, registered when the module defining the fixture is loaded), so
 * the files that share it share its start-up cost. `teardown` also runs when building failed,
 * with undefined, to let go of what the build had opened.
 */
export function runOnce<T>(
  build: () => Promise<T>,
  teardown: (built: T | undefined) => Promise<void>,
): () => Promise<T> {
  let pending: Promise<T> | undefined;
  after(async function () {
    this.timeout(120_000);
    if (!pending) return;
    const built = await pending.catch(() => undefined);
    pending = undefined;
    await teardown(built);
  });
  return () => {
    pending ??= build();
    return pending;
  };
}
