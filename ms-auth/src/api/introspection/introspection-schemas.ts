import { Type } from '@marketshare/platform';
import { clientCredentialFields } from '../oauth/oauth-schemas.js';

/* RFC 6749 §3.2 / RFC 7662 §2.1: unknown parameters are ignored, a deliberate exception to the repository rule. */
export const IntrospectionRequestForm = Type.Object(
  {
    token: Type.Optional(Type.String({ maxLength: 8192 })),
    token_type_hint: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Accepted and not needed: the two token kinds differ in shape.',
      }),
    ),
    ...clientCredentialFields,
  },
  { additionalProperties: true },
);

export const IntrospectionResponse = Type.Object(
  {
    active: Type.Boolean(),
    token_type: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('refresh_token')])),
    sub: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    nbf: Type.Optional(Type.Integer()),
    iss: Type.Optional(Type.String()),
    aud: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
  },
  { additionalProperties: false, description: 'RFC 7662 §2.2; only `active` when the token is not active' },
);
