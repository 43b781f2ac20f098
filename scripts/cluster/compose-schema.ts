/**
 * Validation against the Compose Specification's own JSON schema (compose-spec.json, as the
 * npm package `dclint` ships it in schemas/compose.schema.json; it is not written here).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT, parseComposeText } from './compose-file.js';

export const COMPOSE_SCHEMA_FILE = path.join(
  REPO_ROOT,
  'node_modules',
  'dclint',
  'schemas',
  'compose.schema.json',
);

interface SchemaError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}
interface Validator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
interface AjvInstance {
  compile(schema: object): Validator;
}
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

// Ajv 8, as platform/ declares it: the root's hoisted ajv is eslint's Ajv 6.
function loadAjv(): AjvConstructor {
  const required: { default: AjvConstructor } = createRequire(
    path.join(REPO_ROOT, 'platform', 'package.json'),
  )('ajv');
  return required.default;
}

let validator: Validator | undefined;

function composeValidator(): Validator {
  if (validator) return validator;
  const schema: Record<string, unknown> = JSON.parse(readFileSync(COMPOSE_SCHEMA_FILE, 'utf8'));
  // Its $schema names draft-07 by an https URI Ajv does not know; the draft-07 meta-schema is Ajv's default.
  delete schema['$schema'];
  const Ajv = loadAjv();
  // strict: false, for the spec's annotation keywords (deprecated) that draft-07 Ajv does not know.
  validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validator;
}

/** Problems of a compose file's text against the specification, as `path: message` lines. */
export function composeSchemaProblems(text: string): string[] {
  const validate = composeValidator();
  if (validate(parseComposeText(text))) return [];
  return (validate.errors ?? []).map((error) => {
    const extra = error.params['additionalProperty'];
    const detail = typeof extra === 'string' ? ` (${extra})` : '';
    return `${error.instancePath || '/'}: ${error.message ?? 'invalid'}${detail}`;
  });
}
