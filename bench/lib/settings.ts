/** A benchmark's settings from the environment (for experiments; committed reports use the defaults). */

/** An integer 1–max from `name`, or `fallback` when unset. */
export function integerSetting(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${name} must be an integer 1–${max}`);
  return value;
}

/** A comma-separated list of integers 1–max from `name` (e.g. "1,4,16"), or `fallback` when unset. */
export function integerListSetting(name: string, fallback: number[], max: number): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1 || value > max))
    throw new Error(`${name} must be a comma-separated list of integers 1–${max}`);
  return values;
}
