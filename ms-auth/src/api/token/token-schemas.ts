import { Type } from '@marketshare/platform';
import { clientCredentialFields } from '../oauth/oauth-schemas.js';

/*
 * RFC 6749 §3.2: the server MUST ignore unrecognized request parameters. That is a
 * deliberate exception to this repository's rule that schemas reject unknown fields.
 */
export const TokenRequestForm = Type.Object(
  {
    grant_type: Type.Optional(
      Type.String({ maxLength: 64, description: 'password | refresh_token | client_credentials' }),
    ),
    username: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 512 })),
    scope: Type.Optional(Type.String({ maxLength: 1000, description: 'space-separated' })),
    ...clientCredentialFields,
  },
  { additionalProperties: true },
);

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'seconds' }),
    refresh_token: Type.Optional(Type.String({ description: 'password and refresh_token grants only' })),
    scope: Type.String({ description: 'space-separated; empty for user tokens' }),
  },
  { additionalProperties: false },
);
