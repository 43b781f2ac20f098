/**
 * The shape of the authorization matrix: every route of every service, what each of the nine
 * principals gets from it, and how to make a real but harmless request for each of them.
 */
import type { Fixtures } from './fixtures.js';

/** The nine callers every route is tried with, in the order the table shows them. */
export const PRINCIPALS = [
  'anonymous',
  'consumerA',
  'consumerB',
  'sellerA',
  'sellerB',
  'admin',
  'deactivated',
  'serviceNoScope',
  'serviceWithScope',
] as const;

export type PrincipalName = (typeof PRINCIPALS)[number];

/** How the table's column headers read. */
export const PRINCIPAL_LABELS: Record<PrincipalName, string> = {
  anonymous: 'anonymous',
  consumerA: 'consumer A',
  consumerB: 'consumer B',
  sellerA: 'seller A',
  sellerB: 'seller B',
  admin: 'admin',
  deactivated: 'deactivated',
  serviceNoScope: 'service, no scope',
  serviceWithScope: 'service, scope',
};

export type ServiceName = 'ms-auth' | 'ms-users' | 'ms-products' | 'ms-orders';
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * A status the secure design calls for but the services do not give yet. The test asserts
 * `actual` (so the table tells the truth and notices the fix: it then fails until the gap is
 * removed); the generated document shows both.
 */
export interface KnownGap {
  expected: number;
  actual: number;
  why: string;
}

export type Outcome = number | KnownGap;

export interface RequestBody {
  json?: unknown;
  form?: Record<string, string>;
  /** Built anew for every request: a FormData body is consumed by sending it. */
  multipart?: FormData;
}

export interface Call extends RequestBody {
  /** The concrete path, with the fixture's ids in it. */
  path: string;
  headers?: Record<string, string>;
}

export interface RouteCase {
  service: ServiceName;
  method: HttpMethod;
  /** The template as the OpenAPI document writes it, e.g. `/api/products/{id}`. */
  path: string;
  /** Public routes are tried through the gateway; `/internal/...` ones on the service itself. */
  via: 'gateway' | 'direct';
  expect: Record<PrincipalName, Outcome>;
  /** Builds the request one principal sends (it may make a fresh fixture of its own first). */
  request: (fixtures: Fixtures, who: PrincipalName) => Call | Promise<Call>;
  /** Routes that change who the principals are (self-deactivation) run after every other. */
  runLast?: boolean;
  /** Why the statuses are what they are, where that is not plain from the policy. */
  note?: string;
}

export function isKnownGap(outcome: Outcome): outcome is KnownGap {
  return typeof outcome !== 'number';
}

/** The status the test expects to see today. */
export const observedStatus = (outcome: Outcome): number => (isKnownGap(outcome) ? outcome.actual : outcome);

/** Every principal gets `status`, except those named in `overrides`. */
export function outcomes(
  status: Outcome,
  overrides: Partial<Record<PrincipalName, Outcome>> = {},
): Record<PrincipalName, Outcome> {
  const filled = Object.fromEntries(PRINCIPALS.map((who) => [who, overrides[who] ?? status]));
  // Built from PRINCIPALS just above, so every key is present.
  return filled as Record<PrincipalName, Outcome>;
}

/**
 * What a deactivated account's unexpired access token gets wherever a token is verified (every
 * guarded route, and the optional-token routes when it is sent): 401 invalid_token, as for an
 * expired one. The deactivation revoked it (auth.subject_revoked), and every service applies that.
 */
export const REVOKED = 401;

/**
 * A route that needs a token: 401 without one or with a revoked one (the deactivated account's),
 * 403 for whoever the policy leaves out.
 */
export const guarded = (
  allowed: Partial<Record<Exclude<PrincipalName, 'deactivated'>, Outcome>>,
): Record<PrincipalName, Outcome> => outcomes(403, { anonymous: 401, ...allowed, deactivated: REVOKED });

/** `GET /api/products/{id}`: how routes are named in the table, the doc and the route inventories. */
export const routeKey = (route: { method: string; path: string }): string =>
  `${route.method.toUpperCase()} ${route.path}`;
