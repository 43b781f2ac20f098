/**
 * The authorization matrix: every route of every service × the nine principals → the status
 * each gets. e2e/authorization.test.ts runs it against the stack; scripts/authorization-doc.ts
 * renders it into docs/authorization.md. Both check it lists exactly the routes the services
 * define (their OpenAPI documents, and the route definitions in their source for the internal
 * routes OpenAPI leaves out), so it cannot silently go stale.
 */
import { AUTH_ROUTES } from './matrix-auth.js';
import { ORDERS_ROUTES } from './matrix-orders.js';
import { PRODUCTS_ROUTES } from './matrix-products.js';
import { USERS_ROUTES } from './matrix-users.js';
import type { RouteCase } from './types.js';

export const MATRIX: readonly RouteCase[] = [
  ...AUTH_ROUTES,
  ...USERS_ROUTES,
  ...PRODUCTS_ROUTES,
  ...ORDERS_ROUTES,
];

/** The order the test runs them in: routes that deactivate the principals come last. */
export const MATRIX_IN_RUN_ORDER: readonly RouteCase[] = [
  ...MATRIX.filter((route) => route.runLast !== true),
  ...MATRIX.filter((route) => route.runLast === true),
];
