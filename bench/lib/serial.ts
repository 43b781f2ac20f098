/** One request at a time: what a request costs without queueing behind others. */

export const SERIAL_RUNS = 25;

export interface SerialCost {
  p50: number;
  p95: number;
}

/** Runs `once` `warmup` times unmeasured, then `runs` times; nearest-rank percentiles in ms. */
export async function serialCost(
  once: () => Promise<unknown>,
  runs = SERIAL_RUNS,
  warmup = 3,
): Promise<SerialCost> {
  for (let i = 0; i < warmup; i += 1) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const begin = performance.now();
    await once();
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  const at = (fraction: number) =>
    Math.round((times[Math.ceil(fraction * times.length) - 1] ?? Number.NaN) * 100) / 100;
  return { p50: at(0.5), p95: at(0.95) };
}
