import { Type } from '@marketshare/platform';
import { AccountId, CompanyName, Email, Role, Status } from '../fields.js';

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

/**
 * The account lookup adds the contact details ms-email needs to address order emails; the
 * credentials check keeps the narrower view above.
 */
export const InternalAccountDetailView = Type.Object({
  ...InternalAccountView.properties,
  email: Email,
  companyName: CompanyName,
});

export const VerifyCredentialsResult = Type.Union([
  Type.Object({ valid: Type.Literal(false) }),
  Type.Object({ valid: Type.Literal(true), account: InternalAccountView }),
]);

export const InternalAccountParams = Type.Object({ id: AccountId }, { additionalProperties: false });
