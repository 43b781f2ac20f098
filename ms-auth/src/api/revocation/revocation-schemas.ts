import { Type } from '@marketshare/platform';
import { clientCredentialFields } from '../oauth/oauth-schemas.js';

/* RFC 6749 §3.2 / RFC 7009 §2.1: unknown parameters are ignored, a deliberate exception to the repository rule. */
export const RevocationRequestForm = Type.Object(
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
