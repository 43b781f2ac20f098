import type { Static } from '@marketshare/platform';
import type { CartView as DomainCartView } from '../../domain/cart.js';
import type { CartView } from './schemas.js';

export function presentCart(cart: DomainCartView): Static<typeof CartView> {
  const items = cart.lines.map((line) => ({
    productId: line.productId,
    quantity: line.quantity,
    name: line.product?.name ?? null,
    sellerId: line.product?.sellerId ?? null,
    unitPriceMinor: line.product?.priceMinor ?? null,
    currency: line.product?.currency ?? null,
    lineTotalMinor: line.lineTotalMinor ?? null,
    inStock: line.product?.stock ?? null,
    warnings: line.warnings.map((warning) => ({ ...warning })),
  }));
  return {
    items,
    totals: cart.totals,
    warningCount: items.reduce((sum, item) => sum + item.warnings.length, 0),
  };
}
