import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';

/** One field-level problem, named so a client can attach it to its form input. */
export interface FieldProblem {
  field: string;
  message: string;
}

// ajv-formats is CommonJS whose default export TypeScript sees as the module namespace.
const addFormats = addFormatsModule.default;

function createAjv(options: { coerceTypes: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    coerceTypes: options.coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  ajv.addKeyword('x-sensitive');
  ajv.addKeyword('x-local-default');
  return ajv;
}

/** Request bodies: JSON types are taken as sent. */
const strictAjv = createAjv({ coerceTypes: false });
/** Query strings, path params, form bodies and the environment arrive as strings. */
const coercingAjv = createAjv({ coerceTypes: true });

const compiled = new WeakMap<TSchema, { strict?: ValidateFunction; coercing?: ValidateFunction }>();

function compile(schema: TSchema, coerce: boolean): ValidateFunction {
  const entry = compiled.get(schema) ?? {};
  const existing = coerce ? entry.coercing : entry.strict;
  if (existing) return existing;
  const fn = (coerce ? coercingAjv : strictAjv).compile(schema);
  if (coerce) entry.coercing = fn;
  else entry.strict = fn;
  compiled.set(schema, entry);
  return fn;
}

function fieldName(prefix: string, error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') path.push(String(error.params['additionalProperty']));
  const joined = path.join('.');
  if (prefix === '') return joined === '' ? '(root)' : joined;
  return joined === '' ? prefix : `${prefix}.${joined}`;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'is not an allowed field';
  if (error.keyword === 'required') return 'is required';
  return error.message ?? 'is invalid';
}

export function toFieldProblems(errors: ErrorObject[] | null | undefined, prefix = ''): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of errors ?? []) {
    const problem = { field: fieldName(prefix, error), message: describe(error) };
    const key = `${problem.field}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

export type CheckResult<S extends TSchema> =
  { ok: true; value: Static<S> } | { ok: false; problems: FieldProblem[] };

/**
 * Validates (and, when coercing, converts in place) a value against a TypeBox schema.
 * Unknown fields are rejected by the schemas themselves (additionalProperties: false).
 */
export function checkSchema<S extends TSchema>(
  schema: S,
  value: unknown,
  options: { coerce?: boolean; fieldPrefix?: string } = {},
): CheckResult<S> {
  const prefix = options.fieldPrefix ?? '';
  const coerce = options.coerce ?? false;
  const refused = coerce ? coerceNumberStrings(schema, value) : [];
  const validateFn = compile(schema, coerce);
  const valid = validateFn(value);
  const problems = [
    ...refused.map((problem) => ({ ...problem, field: joinField(prefix, problem.field) })),
    // A refused number string was removed from the value: its "is required" is not news.
    ...toFieldProblems(validateFn.errors, prefix).filter(
      (problem) => !refused.some((bad) => joinField(prefix, bad.field) === problem.field),
    ),
    ...outOfRangeNumbers(schema, value, '').map((problem) => ({
      ...problem,
      field: joinField(prefix, problem.field),
    })),
  ];
  if (valid && problems.length === 0) {
    // Ajv's type guard is not tied to the TypeBox static type; the schema is the same object.
    return { ok: true, value: value as Static<S> };
  }
  return { ok: false, problems };
}

function joinField(prefix: string, field: string): string {
  if (prefix === '') return field === '' ? '(root)' : field;
  return field === '' ? prefix : `${prefix}.${field}`;
}

const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function numericTypeOf(schema: unknown): 'integer' | 'number' | undefined {
  const type = readKey(schema, 'type');
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  return undefined;
}

function readKey(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/**
 * Ajv's coercion turns "Infinity", "1e309", "0x10" and " 5" into numbers, and lets the
 * non-finite ones past `maximum`. Strings bound for a numeric field of a flat object (query
 * strings, path params, forms, the environment) are therefore converted here first, as plain
 * decimals only; a refused one is removed from the value and reported.
 */
function coerceNumberStrings(schema: TSchema, value: unknown): FieldProblem[] {
  const properties = readKey(schema, 'properties');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  if (typeof properties !== 'object' || properties === null) return [];
  const problems: FieldProblem[] = [];
  for (const [key, property] of Object.entries(properties)) {
    const kind = numericTypeOf(property);
    const raw: unknown = Reflect.get(value, key);
    if (kind === undefined || typeof raw !== 'string') continue;
    const parsed = Number(raw);
    const message = !DECIMAL.test(raw)
      ? `must be ${kind}`
      : !Number.isFinite(parsed)
        ? 'must be a finite number'
        : undefined;
    if (message === undefined) {
      Reflect.set(value, key, parsed);
    } else {
      Reflect.deleteProperty(value, key);
      problems.push({ field: key, message });
    }
  }
  return problems;
}

/**
 * Numbers no store can take: non-finite ones, and integers past 2^53 − 1, which lose their
 * exact value in JavaScript (1e20 is an "integer" to Ajv) and overflow a bigint column.
 */
function outOfRangeNumbers(schema: unknown, value: unknown, path: string): FieldProblem[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return [{ field: path, message: 'must be a finite number' }];
    if (numericTypeOf(schema) === 'integer' && !Number.isSafeInteger(value) && Number.isInteger(value))
      return [{ field: path, message: 'must be between -9007199254740991 and 9007199254740991' }];
    return [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (Array.isArray(value)) {
    const items = readKey(schema, 'items');
    return value.flatMap((item, index) => outOfRangeNumbers(items, item, at(String(index))));
  }
  const properties = readKey(schema, 'properties');
  const additional = readKey(schema, 'additionalProperties');
  return Object.entries(value).flatMap(([key, item]) =>
    outOfRangeNumbers(readKey(properties, key) ?? additional, item, at(key)),
  );
}
