import { Type } from '@marketshare/platform';
import { Email, Password } from '../fields.js';

export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });

export const ResetConfirmBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 256, description: 'The token from the emailed link' }),
    newPassword: Password,
  },
  { additionalProperties: false },
);
