import { OAuthError } from './oauth-error.js';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Parses a `scope` parameter; a malformed one is an invalid_scope refusal. */
export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const tokens = raw.split(' ').filter((token) => token !== '');
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) {
    throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  }
  return [...new Set(tokens)];
}

/**
 * The scope to grant: what was asked for when every part of it is allowed (else
 * invalid_scope), or everything allowed when nothing was asked for.
 */
export function grantableScope(requested: string[] | undefined, allowed: ReadonlySet<string>): string[] {
  if (requested === undefined) return [...allowed].sort();
  const refused = requested.filter((scope) => !allowed.has(scope));
  if (refused.length > 0) {
    throw new OAuthError('invalid_scope', `The client may not request: ${refused.join(' ')}.`);
  }
  return [...requested].sort();
}

export const formatScope = (scopes: readonly string[]): string => scopes.join(' ');
