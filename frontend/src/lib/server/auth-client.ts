/** ms-auth as the frontend client sees it: password and refresh grants, revocation (RFC 7009). */
import type { Role, TokenGrant } from './session/session.js';
import { field } from './upstream.js';
import type { CallContext, UpstreamClient } from './upstream.js';

export type GrantResult =
  | { ok: true; tokens: TokenGrant; subject: string; role: Role }
  /** `invalid_grant`: wrong credentials, or a refresh token that is used, revoked or expired. */
  | { ok: false; error: 'invalid_grant' | 'throttled' | 'unavailable'; retryAfterSeconds?: number };

export interface AuthClient {
  passwordGrant(username: string, password: string, context: CallContext): Promise<GrantResult>;
  refreshGrant(refreshToken: string, context: CallContext): Promise<GrantResult>;
  revoke(refreshToken: string, context: CallContext): Promise<void>;
}

/** The claims this server reads from an access token it just got from ms-auth (trusted channel). */
export function accessTokenClaims(token: string): { sub: string; role: Role } | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const sub = field(claims, 'sub');
    const role = field(claims, 'role');
    if (typeof sub !== 'string' || (role !== 'consumer' && role !== 'seller' && role !== 'admin'))
      return null;
    return { sub, role };
  } catch {
    return null;
  }
}

export function createAuthClient(
  upstream: UpstreamClient,
  client: { id: string; secret: string },
): AuthClient {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  const post = (endpoint: 'token' | 'revoke', form: Record<string, string>, context: CallContext) =>
    upstream.call(
      'ms-auth',
      {
        method: 'POST',
        route: `/api/auth/${endpoint}`,
        path: `/api/auth/${endpoint}`,
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      },
      context,
    );

  const grant = async (form: Record<string, string>, context: CallContext): Promise<GrantResult> => {
    const response = await post('token', form, context).catch(() => null);
    if (response === null || response.status >= 500) return { ok: false, error: 'unavailable' };
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ok: false,
        error: 'throttled',
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
    }
    if (response.status !== 200) return { ok: false, error: 'invalid_grant' };
    const accessToken = field(response.body, 'access_token');
    const refreshToken = field(response.body, 'refresh_token');
    const expiresIn = field(response.body, 'expires_in');
    const claims = typeof accessToken === 'string' ? accessTokenClaims(accessToken) : null;
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresIn !== 'number')
      return { ok: false, error: 'unavailable' };
    if (claims === null) return { ok: false, error: 'unavailable' };
    return {
      ok: true,
      tokens: { accessToken, refreshToken, expiresIn },
      subject: claims.sub,
      role: claims.role,
    };
  };

  return {
    passwordGrant: (username, password, context) =>
      grant({ grant_type: 'password', username, password }, context),
    refreshGrant: (refreshToken, context) =>
      grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, context),
    async revoke(refreshToken, context) {
      // RFC 7009 answers 200 whatever the token was; a failure here must not keep anyone signed in.
      await post('revoke', { token: refreshToken, token_type_hint: 'refresh_token' }, context).catch(
        () => undefined,
      );
    },
  };
}
