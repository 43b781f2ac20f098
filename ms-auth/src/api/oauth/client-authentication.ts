import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { Client } from '../../domain/clients/registered-clients.js';
import { OAuthError } from '../../domain/oauth-error.js';
import { ClientAuthenticationFailed } from './oauth-problem.js';

interface PresentedCredentials {
  method: 'client_secret_basic' | 'client_secret_post';
  clientId: string;
  secret: string;
}

/** RFC 6749 §3.2: a parameter sent without a value counts as omitted. */
export const valueOf = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

/** Client id and secret are form-urlencoded inside the Basic credentials (RFC 6749 §2.3.1). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function fromBasic(header: string): PresentedCredentials {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header);
  const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new ClientAuthenticationFailed(true);
  try {
    return {
      method: 'client_secret_basic',
      clientId: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw new ClientAuthenticationFailed(true);
  }
}

/**
 * Reads the client's credentials from HTTP Basic or from the body, never both
 * (RFC 6749 §2.3: one authentication method per request).
 */
function presentedCredentials(
  authorization: string,
  form: { client_id?: string | undefined; client_secret?: string | undefined },
): PresentedCredentials {
  const bodyId = valueOf(form.client_id);
  const bodySecret = valueOf(form.client_secret);
  if (authorization !== '') {
    const basic = fromBasic(authorization);
    if (bodySecret !== undefined) {
      throw new OAuthError(
        'invalid_request',
        'Use one client authentication method, not Basic and client_secret.',
      );
    }
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthError(
        'invalid_request',
        'The parameter client_id does not match the authenticated client.',
      );
    }
    return basic;
  }
  // Every client is confidential: an id without a secret authenticates nothing.
  if (bodyId === undefined || bodySecret === undefined)
    throw new ClientAuthenticationFailed(bodyId === undefined);
  return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
}

/** The authenticated client of an OAuth request, or a ClientAuthenticationFailed refusal. */
export async function authenticateClient(
  authenticator: ClientAuthenticator,
  authorization: string,
  form: { client_id?: string | undefined; client_secret?: string | undefined },
): Promise<Client> {
  const presented = presentedCredentials(authorization, form);
  try {
    return await authenticator.authenticate(presented.clientId, presented.secret);
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_client') {
      throw new ClientAuthenticationFailed(presented.method === 'client_secret_basic');
    }
    throw error;
  }
}
