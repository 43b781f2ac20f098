import { defineRoute, type Route, type Static } from '@marketshare/platform';
import { GRANT_TYPES, supportedScopes } from '../../domain/clients/registered-clients.js';
import type { SigningKeyRing } from '../../domain/keys/signing-key-ring.js';
import { AuthorizationServerMetadata, JwksResponse } from './discovery-schemas.js';

const PUBLIC_CACHE = { 'Cache-Control': 'public, max-age=300' };
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/** `GET /.well-known/jwks.json`: every key a verifier may still meet. */
export function jwksRoute(keyRing: SigningKeyRing): Route {
  return defineRoute({
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'getJwks',
    summary: 'The public keys that sign access tokens (RFC 7517)',
    tags: ['discovery'],
    auth: 'public',
    responses: { 200: { description: 'The key set', schema: JwksResponse } },
    handler: async () => ({ body: keyRing.publishedJwks(), headers: PUBLIC_CACHE }),
  });
}

/** RFC 8414 metadata; every URL derives from the issuer, the public (gateway) origin. */
export function authorizationServerMetadata(issuer: string): Static<typeof AuthorizationServerMetadata> {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    token_endpoint: `${base}/api/auth/token`,
    introspection_endpoint: `${base}/api/auth/introspect`,
    revocation_endpoint: `${base}/api/auth/revoke`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: [...GRANT_TYPES],
    // No authorization endpoint: there is no front-channel flow.
    response_types_supported: [],
    scopes_supported: supportedScopes(),
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
  };
}

export function metadataRoute(issuer: string): Route {
  const metadata = authorizationServerMetadata(issuer);
  return defineRoute({
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    operationId: 'getAuthorizationServerMetadata',
    summary: 'Authorization server metadata (RFC 8414)',
    tags: ['discovery'],
    auth: 'public',
    responses: { 200: { description: 'The metadata', schema: AuthorizationServerMetadata } },
    handler: async () => ({ body: metadata, headers: PUBLIC_CACHE }),
  });
}
