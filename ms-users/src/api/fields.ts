import { Type, type TSchema } from '@marketshare/platform';

/** Field schemas shared by several resources, so one rule reads the same everywhere. */

export const AccountId = Type.String({ format: 'uuid', description: 'Account id (UUID)' });

export const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: '3–32 of a–z, 0–9, _ . - (unique ignoring case)',
});

export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Stored lowercased; unique',
});

export const CompanyName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

/** The policy (length in characters and bytes, deny list) is the domain's; this only bounds the input. */
export const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'At least 8 characters and at most 72 bytes in UTF-8; common passwords are refused',
});

export const Role = Type.Union([Type.Literal('seller'), Type.Literal('consumer'), Type.Literal('admin')]);
export const Status = Type.Union([Type.Literal('active'), Type.Literal('deactivated')]);
export const Instant = Type.String({ format: 'date-time' });

export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
