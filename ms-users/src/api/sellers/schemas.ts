import { Type } from '@marketshare/platform';
import { AccountId, Instant, Nullable } from '../fields.js';

export const SellerParams = Type.Object({ id: AccountId }, { additionalProperties: false });

export const SellerProfileView = Type.Object({
  id: AccountId,
  username: Type.String(),
  companyName: Type.String(),
  displayName: Nullable(Type.String()),
  website: Nullable(Type.String()),
  joinedAt: Instant,
});
