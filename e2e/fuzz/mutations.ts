/**
 * Mutations of a valid request's parts: each one class of hostile input, aimed at one place
 * (a body field, a query or path parameter, the body as a whole, a header). Which places exist
 * comes from the operation's schemas, so every route gets the classes it can receive.
 */
import fc from 'fast-check';
import {
  BOUNDARY_NUMBERS,
  BOUNDARY_NUMBER_TEXTS,
  HOSTILE_PERCENT_TEXTS,
  OPERATOR_OBJECTS,
  PROTOTYPE_KEYS,
  PROTOTYPE_OBJECTS,
  VALUES_BY_TYPE,
  deepValue,
  hostileString,
  nested,
} from './hostile-values.js';
import { JsonPairs, isPlainObject, membersOf } from './json-text.js';
import { objectOf, type JsonSchema, type Operation } from './openapi-model.js';
import { bodyFaults, contentTypeFaults } from './body-faults.js';
import type { Mutation, QueryPair, RequestParts, TargetText } from './request-model.js';
import { typesOf } from './schema-values.js';

/** A place in the body: the member names (and `0` for an array's first item) from the root. */
interface Slot {
  path: string[];
  schema: JsonSchema;
}

function slotsOf(schema: JsonSchema, path: string[] = [], depth = 0): Slot[] {
  const own: Slot = { path, schema };
  if (depth > 3) return [own];
  const children = Object.entries(objectOf(schema['properties'])).flatMap(([name, child]) =>
    slotsOf(objectOf(child), [...path, name], depth + 1),
  );
  const items =
    schema['items'] === undefined ? [] : slotsOf(objectOf(schema['items']), [...path, '0'], depth + 1);
  return [own, ...children, ...items];
}

/** The body with `value` at `path` (objects and arrays made on the way where none were). */
function setAt(body: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(body) || head === '0') {
    const items = Array.isArray(body) ? [...body] : [];
    items[0] = setAt(items[0], rest, value);
    return items;
  }
  const members = membersOf(body).filter(([name]) => name !== head);
  const current = isPlainObject(body) ? body[head] : undefined;
  return new JsonPairs([...members, [head, setAt(current, rest, value)]]);
}

function wrongTypeValues(schema: JsonSchema): unknown[] {
  const wanted = new Set(typesOf(schema));
  // An integer is a number too; every other type is wrong for a number field.
  if (wanted.has('number')) wanted.add('integer');
  return Object.entries(VALUES_BY_TYPE).flatMap(([type, values]) => (wanted.has(type) ? [] : values));
}

const plainText = (text: string): TargetText => ({ text });
const rawText = (text: string): TargetText => ({ text, encoded: true });

/** A value for a query or path parameter, per class. */
function parameterValues(mutation: Mutation): fc.Arbitrary<TargetText> | undefined {
  switch (mutation) {
    case 'wrong-type':
      return fc.constantFrom('abc', '1.5', 'true', 'null', '[1]', '{"a":1}', '', 'not-a-uuid').map(plainText);
    case 'boundary-number':
      return fc.constantFrom(...BOUNDARY_NUMBER_TEXTS).map(plainText);
    case 'hostile-string':
      return fc.oneof(hostileString.map(plainText), fc.constantFrom(...HOSTILE_PERCENT_TEXTS).map(rawText));
    case 'operator-injection':
      return fc.constantFrom(...OPERATOR_OBJECTS).map((value) => plainText(JSON.stringify(value)));
    default:
      return undefined;
  }
}

/** A value for a body field, per class (undefined when the class does not replace values). */
function bodyValues(mutation: Mutation, schema: JsonSchema): fc.Arbitrary<unknown> | undefined {
  switch (mutation) {
    case 'wrong-type': {
      const wrong = wrongTypeValues(schema);
      return wrong.length > 0 ? fc.constantFrom(...wrong) : undefined;
    }
    case 'boundary-number':
      return fc.constantFrom(...BOUNDARY_NUMBERS);
    case 'hostile-string':
      return hostileString;
    case 'operator-injection':
      return fc.constantFrom(...OPERATOR_OBJECTS);
    case 'deep-nesting':
      return deepValue;
    default:
      return undefined;
  }
}

type PartsMutation = fc.Arbitrary<RequestParts>;

function replaceParameter(parts: RequestParts, operation: Operation, mutation: Mutation): PartsMutation[] {
  const values = parameterValues(mutation);
  if (!values) return [];
  const pathNames = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const choices: PartsMutation[] = [];
  if (pathNames.length > 0) {
    choices.push(
      fc
        .tuple(fc.constantFrom(...pathNames), values)
        .map(([name, value]) => ({ ...parts, pathParams: { ...parts.pathParams, [name]: value } })),
    );
  }
  if (queryNames.length > 0) {
    choices.push(
      fc.tuple(fc.constantFrom(...queryNames), values).map(([name, value]) => ({
        ...parts,
        query: [...parts.query.filter((pair) => pair.name.text !== name), { name: plainText(name), value }],
      })),
    );
  }
  return choices;
}

function replaceBodyField(parts: RequestParts, operation: Operation, mutation: Mutation): PartsMutation[] {
  if (!operation.body) return [];
  const choices = slotsOf(operation.body.schema).flatMap((slot) => {
    const values = bodyValues(mutation, slot.schema);
    return values ? [values.map((value) => ({ ...parts, body: setAt(parts.body, slot.path, value) }))] : [];
  });
  return choices.length > 0 ? [fc.oneof(...choices)] : [];
}

const protoQuery: readonly QueryPair[][] = [
  [{ name: plainText('__proto__[role]'), value: plainText('admin') }],
  [{ name: plainText('constructor[prototype][role]'), value: plainText('admin') }],
  [{ name: plainText('__proto__'), value: plainText('x') }],
  ...PROTOTYPE_KEYS.map((key) => [{ name: plainText(key), value: plainText('1') }]),
];

function structural(parts: RequestParts, operation: Operation, mutation: Mutation): PartsMutation[] {
  const members = membersOf(parts.body);
  const withMembers = (extra: readonly (readonly [string, unknown])[]) =>
    new JsonPairs([...members, ...extra]);
  switch (mutation) {
    case 'prototype-keys':
      return [
        fc
          .constantFrom(...PROTOTYPE_OBJECTS)
          .map((poison) => ({ ...parts, body: withMembers(poison.pairs) })),
        fc.constantFrom(...protoQuery).map((extra) => ({ ...parts, query: [...parts.query, ...extra] })),
      ];
    case 'duplicate-keys': {
      const names = members.map(([name]) => name);
      const repeated =
        names.length > 0
          ? fc
              .tuple(fc.constantFrom(...names), fc.oneof(hostileString, fc.constant('admin')))
              .map(([name, value]) => ({ ...parts, body: withMembers([[name, value]]) }))
          : fc.constant<RequestParts>({
              ...parts,
              body: new JsonPairs([
                ['role', 'consumer'],
                ['role', 'admin'],
              ]),
            });
      const query = parts.query.map((pair) =>
        fc.constant<RequestParts>({ ...parts, query: [...parts.query, pair] }),
      );
      return [repeated, ...query];
    }
    case 'deep-nesting':
      return [deepValue.map((deep) => ({ ...parts, body: deep }))];
    case 'missing-required': {
      const required = operation.body ? objectOf(operation.body.schema)['required'] : undefined;
      const bodyNames = Array.isArray(required) ? required.map(String) : [];
      const queryNames = operation.parameters
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => p.name);
      const choices: PartsMutation[] = [];
      if (operation.body) choices.push(fc.constant({ ...parts, body: undefined }));
      if (bodyNames.length > 0) {
        choices.push(
          fc.constantFrom(...bodyNames).map((name) => ({
            ...parts,
            body: new JsonPairs(members.filter(([member]) => member !== name)),
          })),
        );
      }
      if (queryNames.length > 0) {
        choices.push(
          fc.constantFrom(...queryNames).map((name) => ({
            ...parts,
            query: parts.query.filter((pair) => pair.name.text !== name),
          })),
        );
      }
      return choices;
    }
    case 'extra-field':
      return [
        fc
          .tuple(fc.constantFrom('role', 'id', 'isAdmin', 'sellerId', 'status', 'extra'), hostileString)
          .map(([name, value]) => ({ ...parts, body: withMembers([[name, value]]) })),
        fc.constantFrom('extra', 'role', 'limit', 'sellerId').map((name) => ({
          ...parts,
          query: [...parts.query, { name: plainText(name), value: plainText('1') }],
        })),
      ];
    case 'wrong-content-type':
      return [contentTypeFaults(operation).map((contentType) => ({ ...parts, contentType }))];
    case 'malformed-body':
    case 'oversized-body':
      return [bodyFaults(operation, parts, mutation).map((rawBody) => ({ ...parts, rawBody }))];
    case 'bad-auth':
      return [
        badAuthorization.map((authorization) => ({ ...parts, headers: { ...parts.headers, authorization } })),
      ];
    case 'wrong-method':
      return [
        fc
          .constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND')
          .filter((method) => method !== operation.method)
          .map((method) => ({ ...parts, method })),
      ];
    default:
      return [];
  }
}

const NONE_JWT = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(
  '{"sub":"00000000-0000-4000-8000-000000000000","role":"admin","exp":4102444800}',
).toString('base64url')}.`;

const badAuthorization = fc.constantFrom(
  'Bearer',
  'Bearer ',
  'Bearer abc',
  'Bearer a.b.c',
  `Bearer ${NONE_JWT}`,
  'Basic Zm9vOmJhcg==',
  'Basic %%%',
  `Bearer ${'x'.repeat(8_000)}`,
  'Bearer {"$gt":""}',
  'Digest username="admin"',
  `Bearer ${nested(200, 'array').text}`,
);

/** The arbitrary of parts one class makes from a valid request, or undefined when it cannot apply. */
export function mutate(
  operation: Operation,
  parts: RequestParts,
  mutation: Mutation,
): PartsMutation | undefined {
  const choices = [
    ...replaceParameter(parts, operation, mutation),
    ...replaceBodyField(parts, operation, mutation),
    ...structural(parts, operation, mutation),
  ];
  return choices.length > 0 ? fc.oneof(...choices) : undefined;
}
