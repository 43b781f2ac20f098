/**
 * Values a JSON Schema (as TypeBox writes it: type, const, enum, anyOf, formats, patterns,
 * lengths, ranges, properties, patternProperties, items) accepts, as fast-check arbitraries.
 * "Valid" as far as the schema tells: a service's own rules (unknown ids, taken names) may
 * still refuse them, which is what the fuzzer wants to reach.
 */
import fc from 'fast-check';
import { objectOf, type JsonSchema } from './openapi-model.js';

/** Values that stand for real resources of the fuzzing principals (ids), mixed into uuids. */
export interface ValueHints {
  knownIds: readonly string[];
}

const MAX_DEPTH = 6;
const WORD = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/);

const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** The schema's types (a `type` array, or the one type; undefined when it names none). */
export function typesOf(schema: JsonSchema): string[] {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

/** The alternatives of anyOf / oneOf / allOf-free unions, or undefined. */
export function alternativesOf(schema: JsonSchema): JsonSchema[] | undefined {
  const union = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(union) ? union.map(objectOf) : undefined;
}

function compiledPattern(schema: JsonSchema): RegExp | undefined {
  const pattern = schema['pattern'];
  if (typeof pattern !== 'string') return undefined;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

const codePoints = (text: string): number => [...text].length;

function formatted(format: string, hints: ValueHints): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'uuid':
      return hints.knownIds.length > 0
        ? fc.oneof(fc.uuid({ version: 4 }), fc.constantFrom(...hints.knownIds))
        : fc.uuid({ version: 4 });
    case 'email':
      return fc.tuple(WORD, WORD).map(([user, host]) => `${user}@${host}.test`);
    case 'uri':
      return WORD.map((word) => `https://example.test/${word}`);
    case 'date-time':
    case 'date': {
      const instant = fc
        .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
        .map((ms) => new Date(ms).toISOString());
      return format === 'date' ? instant.map((iso) => iso.slice(0, 10)) : instant;
    }
    default:
      return undefined;
  }
}

function stringValue(schema: JsonSchema, hints: ValueHints): fc.Arbitrary<string> {
  const minLength = numberOr(schema['minLength'], 0);
  const maxLength = numberOr(schema['maxLength'], minLength + 40);
  const fits = (text: string) => codePoints(text) >= minLength && codePoints(text) <= maxLength;
  const format = typeof schema['format'] === 'string' ? formatted(schema['format'], hints) : undefined;
  const pattern = compiledPattern(schema);
  if (format) return pattern ? format.filter((text) => pattern.test(text)) : format;
  if (pattern) {
    // fast-check builds strings from most regular expressions; a few constructs it cannot.
    try {
      return fc.stringMatching(pattern).filter(fits);
    } catch {
      return fc.constant('x'.repeat(Math.max(1, minLength)));
    }
  }
  const ceiling = Math.min(maxLength, minLength + 40);
  const choices: fc.Arbitrary<string>[] = [
    fc.string({ minLength, maxLength: ceiling, unit: 'grapheme-ascii' }),
  ];
  // Most of a string field's real inputs are words; mixed in so unique names and ids still work.
  // (Only where one can fit: a filter that never passes would never return.)
  if (minLength <= 11 && maxLength >= 3) choices.push(WORD.filter(fits));
  const ids = hints.knownIds.filter(fits);
  if (ids.length > 0) choices.push(fc.constantFrom(...ids));
  return fc.oneof(...choices);
}

function integerValue(schema: JsonSchema): fc.Arbitrary<number> {
  const exclusiveMin = schema['exclusiveMinimum'];
  const exclusiveMax = schema['exclusiveMaximum'];
  const min = typeof exclusiveMin === 'number' ? exclusiveMin + 1 : numberOr(schema['minimum'], -1_000);
  const max = typeof exclusiveMax === 'number' ? exclusiveMax - 1 : numberOr(schema['maximum'], 100_000);
  // Small values first: quantities and prices in the low range reach the domain (stock, limits).
  const low = Math.min(max, min + 10);
  return fc.oneof(
    { arbitrary: fc.integer({ min, max: low }), weight: 3 },
    { arbitrary: fc.integer({ min, max }), weight: 1 },
  );
}

function numberValue(schema: JsonSchema): fc.Arbitrary<number> {
  const min = numberOr(schema['minimum'], -1_000);
  const max = numberOr(schema['maximum'], 100_000);
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function arrayValue(schema: JsonSchema, hints: ValueHints, depth: number): fc.Arbitrary<unknown[]> {
  const minLength = numberOr(schema['minItems'], 0);
  const maxLength = Math.min(numberOr(schema['maxItems'], minLength + 3), minLength + 3);
  return fc.array(validValue(objectOf(schema['items']), hints, depth + 1), { minLength, maxLength });
}

function objectValue(
  schema: JsonSchema,
  hints: ValueHints,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = objectOf(schema['properties']);
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [
      name,
      validValue(objectOf(property), hints, depth + 1),
    ]),
  );
  const fixed = fc.record(model, { requiredKeys: [...required].filter((name) => name in model) });
  const patterns = Object.values(objectOf(schema['patternProperties'])).map(objectOf);
  const [valueSchema] = patterns;
  const minProperties = numberOr(schema['minProperties'], 0);
  const record = valueSchema
    ? fc
        .tuple(fixed, fc.dictionary(WORD, validValue(valueSchema, hints, depth + 1), { maxKeys: 3 }))
        .map(([known, extra]) => ({ ...extra, ...known }))
    : fixed;
  return record.filter((value) => Object.keys(value).length >= minProperties);
}

/** An arbitrary of values the schema accepts. */
export function validValue(schema: JsonSchema, hints: ValueHints, depth = 0): fc.Arbitrary<unknown> {
  if (depth > MAX_DEPTH) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema['const']);
  const enumerated = schema['enum'];
  if (Array.isArray(enumerated) && enumerated.length > 0) return fc.constantFrom(...enumerated);
  const alternatives = alternativesOf(schema);
  if (alternatives && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => validValue(alternative, hints, depth)));
  }
  const types = typesOf(schema);
  if (types.length === 0) {
    return 'properties' in schema ? objectValue(schema, hints, depth) : fc.jsonValue({ maxDepth: 2 });
  }
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'string':
          return stringValue(schema, hints);
        case 'integer':
          return integerValue(schema);
        case 'number':
          return numberValue(schema);
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return arrayValue(schema, hints, depth);
        default:
          return objectValue(schema, hints, depth);
      }
    }),
  );
}
