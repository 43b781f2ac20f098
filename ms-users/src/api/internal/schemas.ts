import { Type } from '@marketshare/platform';
import { AccountId, Role, Status } from '../fields.js';

export const VerifyCredentialsBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 254, description: 'Username (any case) or email' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const InternalAccountView = Type.Object({
  id: AccountId,
  username: Type.String(),
  role: Role,
  status: Status,
});

export const VerifyCredentialsResult = Type.Union([
  Type.Object({ valid: Type.Literal(false) }),
  Type.Object({ valid: Type.Literal(true), account: InternalAccountView }),
]);

export const InternalAccountParams = Type.Object({ id: AccountId }, { additionalProperties: false });
