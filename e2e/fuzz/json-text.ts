/**
 * JSON text that JSON.stringify cannot write: numbers as literal text (`1e309`, 2^53 + 1, `-0`),
 * objects with repeated keys or an own `__proto__` key, in the order given. The fuzzer's bodies
 * are values of this small language; everything else serialises as JSON.stringify would.
 */

/** Written verbatim into the JSON text (a number literal no JS number keeps, or broken JSON). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * An object as a list of members: keys may repeat, and `__proto__` or `constructor` are plain
 * members here (an object literal would set the prototype instead).
 */
export class JsonPairs {
  constructor(readonly pairs: readonly (readonly [string, unknown])[]) {}
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof RawJson) &&
    !(value instanceof JsonPairs)
  );
}

/** Members of an object value, JsonPairs included, in order. */
export function membersOf(value: unknown): (readonly [string, unknown])[] {
  if (value instanceof JsonPairs) return [...value.pairs];
  if (isPlainObject(value)) return Object.entries(value);
  return [];
}

export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof JsonPairs) {
    return `{${value.pairs.map(([key, member]) => `${JSON.stringify(key)}:${toJsonText(member)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item)).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${toJsonText(member)}`).join(',')}}`;
  }
  // undefined has no JSON form; in an array it reads as null, as JSON.stringify writes it.
  return JSON.stringify(value) ?? 'null';
}

/** Text for a query string or form field: strings as they are, other values as JSON text. */
export function toParameterText(value: unknown): string {
  if (typeof value === 'string') return value;
  return toJsonText(value);
}
