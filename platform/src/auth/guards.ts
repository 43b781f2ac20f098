import { HttpProblem } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { InvalidTokenError, type TokenVerifier } from './jwks-verifier.js';
import type { Principal, Role } from './principal.js';

/**
 * Who may call a route: anyone, anyone with or without a token, or a verified token that
 * has one of `roles` (people) and every one of `scopes`.
 */
export type AuthPolicy = 'public' | 'optional' | { roles?: readonly Role[]; scopes?: readonly string[] };

const REALM = 'marketshare';

function unauthorized(description: string | undefined): HttpProblem {
  const challenge =
    description === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
  return new HttpProblem(
    401,
    description === undefined ? 'unauthenticated' : 'invalid_token',
    description ?? 'An access token is required.',
    { headers: { 'WWW-Authenticate': challenge } },
  );
}

function bearerToken(ctx: AppContext): string | undefined | null {
  const header = ctx.get('authorization');
  if (header === '') return undefined;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  return match?.[1] ?? null;
}

/** Resolves the principal for a request under a policy, or throws 401/403 problems. */
export async function authorize(
  ctx: AppContext,
  policy: AuthPolicy,
  verifier: TokenVerifier | undefined,
): Promise<Principal | undefined> {
  if (policy === 'public') return undefined;
  const token = bearerToken(ctx);
  if (token === undefined && policy === 'optional') return undefined;
  if (token === undefined) throw unauthorized(undefined);
  if (token === null) throw unauthorized('The Authorization header is not a Bearer token.');
  if (!verifier) throw new Error('route requires authentication but the app has no token verifier');
  let principal: Principal;
  try {
    principal = await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthorized('The access token is invalid or expired.');
    throw error;
  }
  if (policy === 'optional') return principal;
  if (policy.roles && (principal.role === undefined || !policy.roles.includes(principal.role))) {
    throw new HttpProblem(403, 'forbidden_role', 'Your role may not do this.');
  }
  const missing = (policy.scopes ?? []).filter((scope) => !principal.scopes.has(scope));
  if (missing.length > 0) {
    throw new HttpProblem(403, 'insufficient_scope', `The token lacks scope: ${missing.join(' ')}.`, {
      headers: {
        'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${missing.join(' ')}"`,
      },
    });
  }
  return principal;
}
