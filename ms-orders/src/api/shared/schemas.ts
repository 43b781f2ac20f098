import { Type } from '@marketshare/platform';

export const ProductId = Type.String({ format: 'uuid', description: 'Product id (UUID)' });
export const Quantity = Type.Integer({ minimum: 1, maximum: 1000 });
export const MinorUnits = Type.Integer({
  description: 'Amount in minor units of the currency (cents for EUR)',
});
export const Instant = Type.String({ format: 'date-time' });
