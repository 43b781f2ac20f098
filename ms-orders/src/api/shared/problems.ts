import { HttpProblem, type Principal } from '@marketshare/platform';
import { OrdersError } from '../../domain/errors.js';
import type { Actor } from '../../domain/orders.js';

const STATUS_OF: Record<OrdersError['kind'], number> = {
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

export const problem = (description: string) => ({ description, contentType: 'application/problem+json' });

export const COMMON_PROBLEMS = {
  400: problem('Invalid input; `errors` names each field'),
  401: problem('No or an invalid access token'),
  403: problem('The caller has not the role this needs'),
};

/** Domain refusals become problem+json here, once (the app's error translator). */
export function ordersErrorToHttp(error: unknown): unknown {
  if (!(error instanceof OrdersError)) return error;
  return new HttpProblem(STATUS_OF[error.kind], error.code, error.message, { extensions: error.extensions });
}

/** The route's auth policy admitted only consumers and sellers, so the principal is one of them. */
export function actorOf(principal: Principal | undefined): Actor {
  if (principal?.kind !== 'user' || (principal.role !== 'consumer' && principal.role !== 'seller')) {
    throw new HttpProblem(403, 'forbidden', 'Only consumers and sellers have orders.');
  }
  return { id: principal.subject, role: principal.role };
}

export function consumerOf(principal: Principal | undefined): string {
  const actor = actorOf(principal);
  if (actor.role !== 'consumer') throw new HttpProblem(403, 'forbidden', 'Only consumers do this.');
  return actor.id;
}
