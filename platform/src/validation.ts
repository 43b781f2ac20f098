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
  const validateFn = compile(schema, options.coerce ?? false);
  if (validateFn(value)) {
    // Ajv's type guard is not tied to the TypeBox static type; the schema is the same object.
    return { ok: true, value: value as Static<S> };
  }
  return { ok: false, problems: toFieldProblems(validateFn.errors, options.fieldPrefix ?? '') };
}
