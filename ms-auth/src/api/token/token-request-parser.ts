import type { Static } from '@marketshare/platform';
import type { TokenRequest } from '../../domain/grants/token-request.js';
import { OAuthError } from '../../domain/oauth-error.js';
import { parseScope } from '../../domain/scopes.js';
import { valueOf } from '../oauth/client-authentication.js';
import type { TokenRequestForm } from './token-schemas.js';

type Form = Static<typeof TokenRequestForm>;

function required(form: Form, name: 'grant_type' | 'username' | 'password' | 'refresh_token'): string {
  const value = valueOf(form[name]);
  if (value === undefined) throw new OAuthError('invalid_request', `The parameter ${name} is required.`);
  return value;
}

/** The form as a token request of a known grant type with its parameters present. */
export function parseTokenRequest(form: Form): TokenRequest {
  const grantType = required(form, 'grant_type');
  const read = () => parseScope(valueOf(form.scope));
  switch (grantType) {
    case 'password':
      return {
        grantType,
        username: required(form, 'username'),
        password: required(form, 'password'),
        scope: read(),
      };
    case 'refresh_token':
      return { grantType, refreshToken: required(form, 'refresh_token'), scope: read() };
    case 'client_credentials':
      return { grantType, scope: read() };
    default:
      throw new OAuthError('unsupported_grant_type', 'The grant_type is not supported.');
  }
}

/** A bounded label for metrics: never the raw value a client sent. */
export function grantTypeLabel(form: Form): string {
  const grantType = valueOf(form.grant_type);
  if (grantType === undefined) return 'none';
  return ['password', 'refresh_token', 'client_credentials'].includes(grantType) ? grantType : 'unsupported';
}
