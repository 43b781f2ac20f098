/**
 * Every numeric query parameter of a service meets the hostile numbers; each one the parameter
 * does not allow must get a 400 problem naming `query.<name>`. The table is checked against the
 * service's OpenAPI document (built from the validating schemas), so a new numeric parameter
 * fails the coverage check until it has its rows.
 */
import assert from 'node:assert/strict';
import type { HostileWorld } from './hostile-world.js';
import { HOST } from '@marketshare/platform/testing';
import { answer, type Row } from './rows.js';

export const HOSTILE_NUMBERS = [
  'Infinity',
  '-Infinity',
  'NaN',
  '1e309',
  '1e20',
  '99999999999999999999',
  '-1',
  '1.5',
];

export interface NumericParam {
  /** The operation's path as the OpenAPI document writes it (GET). */
  path: string;
  name: string;
  type: 'integer' | 'number';
  minimum: number;
  maximum: number;
  /** Whose token the operation needs. */
  as?: 'seller' | 'consumer' | 'admin';
  /** The rest of a valid query, e.g. a required parameter. */
  rest?: (w: HostileWorld) => Record<string, string>;
}

function allowed(value: string, param: NumericParam): boolean {
  const number = Number(value);
  if (!Number.isFinite(number) || number < param.minimum || number > param.maximum) return false;
  return param.type === 'number' || Number.isInteger(number);
}

export function numericRows(params: readonly NumericParam[]): Row[] {
  return params.flatMap((param) =>
    HOSTILE_NUMBERS.filter((value) => !allowed(value, param)).map((value) => ({
      name: `GET ${param.path}?${param.name}=${value} → 400 naming query.${param.name}`,
      request: (w: HostileWorld) => {
        const query = new URLSearchParams(param.rest?.(w));
        const token = param.as === undefined ? undefined : w[param.as].token;
        return {
          method: 'GET',
          target: `${param.path}?${query.size > 0 ? `${query}&` : ''}${param.name}=${value}`,
          ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
        };
      },
      act: answer(400, `query.${param.name}`),
    })),
  );
}

type Json = Record<string, unknown>;
const objectOf = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};

/** The numeric query parameters the document declares, as `path name type minimum..maximum`. */
function documented(document: unknown): string[] {
  const lines: string[] = [];
  for (const [path, operations] of Object.entries(objectOf(objectOf(document)['paths']))) {
    for (const operation of Object.values(objectOf(operations))) {
      const parameters = objectOf(operation)['parameters'];
      for (const parameter of Array.isArray(parameters) ? parameters.map(objectOf) : []) {
        const schema = objectOf(parameter['schema']);
        if (parameter['in'] !== 'query' || (schema['type'] !== 'integer' && schema['type'] !== 'number'))
          continue;
        const range = `${String(schema['minimum'] ?? '-∞')}..${String(schema['maximum'] ?? '∞')}`;
        lines.push(`${path} ${String(parameter['name'])} ${String(schema['type'])} ${range}`);
      }
    }
  }
  return lines.sort();
}

export async function numericCoverage(port: number, apiName: string, params: readonly NumericParam[]) {
  const response = await fetch(`http://${HOST}:${port}/api/${apiName}/openapi.json`, {
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(response.status, 200);
  const table = params.map((p) => `${p.path} ${p.name} ${p.type} ${p.minimum}..${p.maximum}`).sort();
  assert.deepEqual(table, documented(await response.json()), 'every numeric query parameter has its rows');
}
