import { Type } from '@marketshare/platform';

export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({ description: 'RFC 6749 §5.2 error code' }),
    error_description: Type.Optional(Type.String()),
  },
  { description: 'RFC 6749 §5.2 error response' },
);

/** The responses every client-authenticated OAuth endpoint may give besides its success. */
export const OAUTH_ERROR_RESPONSES = {
  400: { description: 'invalid_request and the other RFC 6749 §5.2 errors', schema: OAuthErrorBody },
  401: { description: 'invalid_client: client authentication failed', schema: OAuthErrorBody },
  413: { description: 'invalid_request: the body is too large', schema: OAuthErrorBody },
  415: {
    description: 'invalid_request: the body is not UTF-8 application/x-www-form-urlencoded',
    schema: OAuthErrorBody,
  },
  429: { description: 'Too many requests (see Retry-After)', schema: OAuthErrorBody },
  503: { description: 'temporarily_unavailable: a dependency is down', schema: OAuthErrorBody },
};

/** Both ways a client may present its secret (RFC 6749 §2.3.1). */
export const clientCredentialFields = {
  client_id: Type.Optional(Type.String({ maxLength: 128, description: 'client_secret_post only' })),
  client_secret: Type.Optional(Type.String({ maxLength: 512, description: 'client_secret_post only' })),
};
