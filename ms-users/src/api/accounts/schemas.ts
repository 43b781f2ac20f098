import { Type } from '@marketshare/platform';
import { CURSOR_MAX_LENGTH } from '../../domain/account-search.js';
import {
  AccountId,
  CompanyName,
  Email,
  Instant,
  Nullable,
  Password,
  Role,
  Status,
  Username,
} from '../fields.js';

export const RegisterBody = Type.Object(
  {
    role: Type.Union([Type.Literal('seller'), Type.Literal('consumer')], {
      description: 'Admins are created by operators, never by sign-up',
    }),
    companyName: CompanyName,
    username: Username,
    email: Email,
    password: Password,
  },
  { additionalProperties: false },
);

const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
const Phone = Type.String({ pattern: '^\\+?[0-9 ().-]{3,32}$', maxLength: 32 });
const Address = Type.String({ minLength: 1, maxLength: 500 });
const Website = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });

export const UpdateOwnBody = Type.Object(
  {
    companyName: Type.Optional(CompanyName),
    email: Type.Optional(Email),
    displayName: Type.Optional(Nullable(DisplayName)),
    phone: Type.Optional(Nullable(Phone)),
    address: Type.Optional(Nullable(Address)),
    website: Type.Optional(Nullable(Website)),
    newPassword: Type.Optional(Password),
    currentPassword: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Required to change the password or the email' }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields sent change; null clears one',
  },
);

export const AccountView = Type.Object({
  id: AccountId,
  username: Type.String(),
  email: Type.String(),
  role: Role,
  status: Status,
  companyName: Type.String(),
  displayName: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  website: Nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
  deactivatedAt: Nullable(Instant),
});

export const AdminAccountView = Type.Composite([
  AccountView,
  Type.Object({ deactivationReason: Nullable(Type.String()) }),
]);

export const AccountIdParams = Type.Object({ id: AccountId }, { additionalProperties: false });

export const DeactivateBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const AccountSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 254,
        pattern: '\\S',
        description: 'Part of the username, email, company name or display name (any case)',
      }),
    ),
    role: Type.Optional(Role),
    status: Type.Optional(Status),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: CURSOR_MAX_LENGTH,
        description: 'nextCursor of the previous page, with the same q, role and status',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const AccountPageView = Type.Object({
  items: Type.Array(AdminAccountView, { description: 'Newest first' }),
  nextCursor: Nullable(Type.String({ description: 'null on the last page' })),
});
