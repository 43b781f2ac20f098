/**
 * Requests from OpenAPI operations: a valid request from the schemas (path, query, headers,
 * body), then, unless it stays valid, one mutation class applied to it, and who sends it.
 * A request that would take a fuzzing principal out of the run (deactivating its own account,
 * or an admin deactivating a principal) is sent anonymously / with unknown ids instead.
 */
import fc from 'fast-check';
import { mutate } from './mutations.js';
import { operationName, type Operation, type Parameter } from './openapi-model.js';
import {
  MUTATIONS,
  finalize,
  type Credential,
  type FuzzRequest,
  type Mutation,
  type QueryPair,
  type RequestParts,
  type TargetText,
} from './request-model.js';
import { validValue, type ValueHints } from './schema-values.js';
import { toParameterText } from './json-text.js';

/** Requests that, sent by a principal, end its part in the run: never sent with its token or ids. */
const SELF_DESTRUCTIVE = new Set(['DELETE /api/users/me']);
const DESTRUCTIVE_WITH_KNOWN_IDS = new Set(['POST /api/users/{id}/deactivate']);

/** The OAuth endpoints take client credentials (HTTP Basic), not a principal's token. */
const isOAuthEndpoint = (operation: Operation) =>
  operation.body?.mediaType === 'application/x-www-form-urlencoded' &&
  operation.path.startsWith('/api/auth/');

const PRINCIPALS: readonly Credential[] = ['anonymous', 'consumer', 'seller', 'admin'];

function credentialFor(operation: Operation): fc.Arbitrary<Credential> {
  if (isOAuthEndpoint(operation)) {
    return fc.oneof(
      { arbitrary: fc.constant<Credential>('client'), weight: 4 },
      { arbitrary: fc.constantFrom(...PRINCIPALS), weight: 1 },
    );
  }
  return fc.constantFrom(...PRINCIPALS);
}

function parameterText(parameter: Parameter, hints: ValueHints): fc.Arbitrary<TargetText> {
  return validValue(parameter.schema, hints).map((value) => ({ text: toParameterText(value) }));
}

function optionalPairs(parameters: readonly Parameter[], hints: ValueHints): fc.Arbitrary<QueryPair[]> {
  const each = parameters.map((parameter) => {
    const pair = parameterText(parameter, hints).map((value): QueryPair => ({
      name: { text: parameter.name },
      value,
    }));
    return parameter.required
      ? pair.map((p) => [p])
      : fc.option(pair, { nil: undefined }).map((p) => (p ? [p] : []));
  });
  return fc.tuple(...each).map((lists) => lists.flat());
}

/**
 * CR, LF and NUL end or break a request head: raw, they would make another request than the
 * one reported (and HAProxy refuses them in its parser). Other control characters stay.
 */
const withoutLineBreaks = (value: string) => value.replace(/[\r\n\0]/g, '');

/** A request the operation's schemas accept. */
export function validParts(operation: Operation, hints: ValueHints): fc.Arbitrary<RequestParts> {
  const idHints = DESTRUCTIVE_WITH_KNOWN_IDS.has(operationName(operation)) ? { knownIds: [] } : hints;
  const pathParameters = operation.parameters.filter((p) => p.in === 'path');
  const headerParameters = operation.parameters.filter((p) => p.in === 'header');
  const path = fc
    .tuple(
      ...pathParameters.map((p) =>
        parameterText(p, idHints).map((value): [string, TargetText] => [p.name, value]),
      ),
    )
    .map((entries) => Object.fromEntries(entries));
  const headers = fc
    .tuple(
      ...headerParameters.map((p) =>
        fc
          .option(parameterText(p, idHints), { nil: undefined, freq: p.required ? 20 : 2 })
          .map((value): [string, TargetText | undefined] => [p.name, value]),
      ),
    )
    .map((entries) =>
      Object.fromEntries(
        entries.flatMap(([name, value]) => (value ? [[name, withoutLineBreaks(value.text)]] : [])),
      ),
    );
  const query = optionalPairs(
    operation.parameters.filter((p) => p.in === 'query'),
    idHints,
  );
  const body = operation.body ? validValue(operation.body.schema, idHints) : fc.constant(undefined);
  return fc.record({ path, query, headers, body }).map((drawn): RequestParts => ({
    method: operation.method,
    pathParams: drawn.path,
    query: drawn.query,
    headers: drawn.headers,
    ...(drawn.body === undefined ? {} : { body: drawn.body }),
  }));
}

const HOSTILE_MUTATIONS: readonly Mutation[] = MUTATIONS.filter((mutation) => mutation !== 'valid');

function mutated(
  operation: Operation,
  hints: ValueHints,
): fc.Arbitrary<{ parts: RequestParts; mutation: Mutation }> {
  return fc
    .tuple(validParts(operation, hints), fc.constantFrom(...HOSTILE_MUTATIONS))
    .chain(([parts, mutation]) => {
      // A class that has no place in this operation (no body, no parameter) falls back to another.
      const fallbacks: Mutation[] = [mutation, 'malformed-body', 'bad-auth', 'wrong-method'];
      for (const candidate of fallbacks) {
        const arbitrary = mutate(operation, parts, candidate);
        if (arbitrary) return arbitrary.map((changed) => ({ parts: changed, mutation: candidate }));
      }
      return fc.constant<{ parts: RequestParts; mutation: Mutation }>({ parts, mutation: 'valid' });
    });
}

/** Keeps a destructive request away from the fuzzing principals (see SELF_DESTRUCTIVE). */
function guarded(request: FuzzRequest, operation: Operation): FuzzRequest {
  const sentAs = `${request.method} ${operation.path}`;
  if (SELF_DESTRUCTIVE.has(sentAs) && request.as !== 'anonymous' && request.as !== 'client') {
    return { ...request, as: 'anonymous' };
  }
  return request;
}

export interface GeneratorOptions {
  hints: ValueHints;
  /** Share of valid requests (0..1); the rest carry one mutation class. */
  validShare: number;
}

/** Requests over all operations, each as one principal. */
export function requestArbitrary(
  operations: readonly Operation[],
  options: GeneratorOptions,
): fc.Arbitrary<FuzzRequest> {
  const validWeight = Math.round(options.validShare * 100);
  const perOperation = operations.map((operation) => {
    const kinds: fc.WeightedArbitrary<{ parts: RequestParts; mutation: Mutation }>[] = [];
    if (validWeight > 0) {
      kinds.push({
        arbitrary: validParts(operation, options.hints).map(
          (parts): { parts: RequestParts; mutation: Mutation } => ({ parts, mutation: 'valid' }),
        ),
        weight: validWeight,
      });
    }
    if (validWeight < 100)
      kinds.push({ arbitrary: mutated(operation, options.hints), weight: 100 - validWeight });
    return fc
      .tuple(fc.oneof(...kinds), credentialFor(operation))
      .map(([{ parts, mutation }, as]) => guarded(finalize(operation, parts, mutation, as), operation));
  });
  return fc.oneof(...perOperation);
}
