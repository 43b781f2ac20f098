/** A small validator for the JSON-schema subset of linkerd-schemas.ts, with readable paths. */
import type { Schema } from './linkerd-schemas.js';

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validateAgainst(schema: Schema, value: unknown, at = ''): string[] {
  const problems: string[] = [];
  const where = at === '' ? '(root)' : at;
  if (schema.intOrString) {
    if (typeof value !== 'string' && typeOf(value) !== 'integer')
      problems.push(`${where}: must be a string or an integer`);
    return problems;
  }
  if (schema.type !== undefined && typeOf(value) !== schema.type) {
    return [`${where}: must be ${schema.type}, is ${typeOf(value)}`];
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) {
    problems.push(`${where}: must be one of ${schema.enum.join(', ')}, is ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      problems.push(`${where}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push(`${where}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push(`${where}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${where}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${where}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      problems.push(`${where}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      problems.push(`${where}: more than ${schema.maxItems} items`);
    const items = schema.items;
    if (items !== undefined)
      value.forEach((item, index) => problems.push(...validateAgainst(items, item, `${at}[${index}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record: Record<string, unknown> = { ...value };
    for (const key of schema.required ?? [])
      if (!(key in record)) problems.push(`${where}: missing required field ${key}`);
    if (schema.oneOfRequired !== undefined) {
      const satisfied = schema.oneOfRequired.filter((keys) => keys.every((key) => key in record));
      if (satisfied.length !== 1)
        problems.push(
          `${where}: needs exactly one of ${schema.oneOfRequired.map((keys) => keys.join('+')).join(' | ')}`,
        );
    }
    for (const [key, child] of Object.entries(record)) {
      const property = schema.properties?.[key];
      const childAt = at === '' ? key : `${at}.${key}`;
      if (property !== undefined) problems.push(...validateAgainst(property, child, childAt));
      else if (schema.additionalProperties === false) problems.push(`${childAt}: unknown field`);
      else if (schema.additionalProperties !== undefined)
        problems.push(...validateAgainst(schema.additionalProperties, child, childAt));
    }
  }
  return problems;
}
