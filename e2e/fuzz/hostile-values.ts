/**
 * The hostile values the mutations draw from: numbers at the edges of what JSON, JavaScript and
 * the databases hold, strings that break encodings, length limits and naive escaping, operator
 * objects of MongoDB-style query languages, prototype keys, and nesting past any sane depth.
 */
import fc from 'fast-check';
import { JsonPairs, RawJson } from './json-text.js';

/** Numbers as JSON text: 2^53 + 1 and 1e309 have no exact JS number, `-0` has no JSON.stringify. */
export const BOUNDARY_NUMBERS: readonly RawJson[] = [
  '0',
  '-0',
  '-1',
  '1',
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '18446744073709551616',
  '1e309',
  '-1e309',
  '1e-400',
  '0.1',
  '1.5',
  '1e2',
  '99999999999999999999999999999999999999',
].map((text) => new RawJson(text));

/** The same edges as query or path text, plus what Number() reads but JSON has not. */
export const BOUNDARY_NUMBER_TEXTS: readonly string[] = [
  ...BOUNDARY_NUMBERS.map((raw) => raw.text),
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  ' 1',
  '1 ',
  '+1',
  '',
  '٣',
  '１',
];

/** Strings that only look like query syntax, SQL, paths or markup; stored as text they are harmless. */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE accounts; --",
  '" OR ""="',
  "1' AND SLEEP(5) -- ",
  "%' UNION SELECT password_hash FROM accounts --",
  '\\',
  "\\'",
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '$where',
  '$gt',
  '*',
  '%',
  '_',
];

/** Unicode that breaks naive handling: astral planes, combining marks, bidi controls, NUL, a lone surrogate. */
export const UNICODE_STRINGS: readonly string[] = [
  '𝔐𝔞𝔯𝔨𝔢𝔱😀🏳️‍🌈',
  'Z̴̡̛͖̈a̷̢̓l̸̰̆g̵̣̈́o̶͚̓',
  'e\u0301\u0302\u0303\u0304\u0305',
  '\u202Eevil.exe\u202C',
  'مرحبا بالعالم',
  '\u200B\u200C\u200D\uFEFF',
  'a\u0000b',
  '\u0000',
  '\u0007\u001b[31m',
  '\r\nX-Injected: 1',
  '\uD800',
  '\uDFFFtail',
  '\uFFFF\uFFFE',
  'İıẞß',
];

/** Percent-encoded forms for targets: the bytes of a lone surrogate (CESU-8), overlong and stray bytes. */
export const HOSTILE_PERCENT_TEXTS: readonly string[] = [
  '%ED%A0%80',
  '%ED%BF%BF',
  '%C0%AF',
  '%FF%FE',
  '%00',
  '%0A',
  '%ZZ',
  '%',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  '%5C',
];

export const HUGE_LENGTHS: readonly number[] = [257, 1_025, 4_097, 65_537];

/** A string over every length limit, of one unit repeated (ASCII, two-byte, astral, combining). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', 'a\u0301', '\u0000'), fc.constantFrom(...HUGE_LENGTHS))
  .map(([unit, length]) => unit.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTION_STRINGS),
  fc.constantFrom(...UNICODE_STRINGS),
  hugeString,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Objects a MongoDB-style driver would read as operators rather than values. */
export const OPERATOR_OBJECTS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $in: [] },
  { $regex: '.*' },
  { $where: 'sleep(1000) || true' },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'return true', args: [], lang: 'js' } },
  { $elemMatch: { $gt: 0 } },
  new JsonPairs([['$or', [{ a: 1 }, { b: 2 }]]]),
];

/** Objects whose keys poison a naive merge: `__proto__`, `constructor.prototype`. */
export const PROTOTYPE_OBJECTS: readonly JsonPairs[] = [
  new JsonPairs([['__proto__', { role: 'admin', isAdmin: true, polluted: 'yes' }]]),
  new JsonPairs([['constructor', { prototype: { role: 'admin', polluted: 'yes' } }]]),
  new JsonPairs([['__proto__', new JsonPairs([['__proto__', { polluted: 'yes' }]])]]),
  new JsonPairs([['prototype', { polluted: 'yes' }]]),
  new JsonPairs([['hasOwnProperty', 'x']]),
  new JsonPairs([['toString', 1]]),
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];

/** `depth` arrays or objects nested, as raw JSON text (cheap to build and to send). */
export function nested(depth: number, kind: 'array' | 'object'): RawJson {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  const inner = kind === 'array' ? '' : '1';
  return new RawJson(`${open.repeat(depth)}${inner}${close.repeat(depth)}`);
}

export const deepValue: fc.Arbitrary<RawJson> = fc
  .tuple(
    fc.constantFrom(33, 64, 1_000, 10_000, 100_000),
    fc.constantFrom<'array' | 'object'>('array', 'object'),
  )
  .map(([depth, kind]) => nested(depth, kind));

/** A value of every JSON type, for "wrong type" swaps (the caller drops the one the schema wants). */
export const VALUES_BY_TYPE: Readonly<Record<string, readonly unknown[]>> = {
  string: ['', 'text', '1', 'true', 'null'],
  integer: [0, 1, -1, 42],
  number: [1.5, -0.25],
  boolean: [true, false],
  null: [null],
  array: [[], [1], ['a', 'b'], [{}]],
  object: [{}, { a: 1 }, { value: 'x' }],
};
