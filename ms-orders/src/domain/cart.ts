import type { MongoCartStore } from '../store/carts-store.js';
import { OrdersError } from './errors.js';
import type { ProductSnapshot, ProductsPort } from './ports.js';

export const MAX_CART_LINES = 100;

export type CartWarning =
  | { code: 'price_changed'; previousUnitPriceMinor: number; previousCurrency: string }
  | { code: 'unavailable' }
  | { code: 'insufficient_stock'; available: number };

export interface CartLineView {
  productId: string;
  quantity: number;
  /** undefined when the product is no longer for sale */
  product: ProductSnapshot | undefined;
  lineTotalMinor: number | undefined;
  warnings: CartWarning[];
}

export interface CartView {
  lines: CartLineView[];
  /** per currency, over the lines that can be bought */
  totals: { currency: string; totalMinor: number }[];
}

/** A consumer's cart, shown against the catalogue as it is now. */
export class Cart {
  constructor(
    private readonly carts: MongoCartStore,
    private readonly products: ProductsPort,
  ) {}

  async show(consumerId: string): Promise<CartView> {
    const lines = await this.carts.lines(consumerId);
    const products = await Promise.all(lines.map((line) => this.products.findProduct(line.productId)));
    const totals = new Map<string, number>();
    const views = lines.map((line, index): CartLineView => {
      const product = products[index];
      const warnings: CartWarning[] = [];
      if (!product)
        return {
          productId: line.productId,
          quantity: line.quantity,
          product,
          lineTotalMinor: undefined,
          warnings: [{ code: 'unavailable' }],
        };
      if (
        product.priceMinor !== line.unitPriceMinorWhenAdded ||
        product.currency !== line.currencyWhenAdded
      ) {
        warnings.push({
          code: 'price_changed',
          previousUnitPriceMinor: line.unitPriceMinorWhenAdded,
          previousCurrency: line.currencyWhenAdded,
        });
      }
      if (product.stock < line.quantity)
        warnings.push({ code: 'insufficient_stock', available: product.stock });
      const lineTotalMinor = product.priceMinor * line.quantity;
      totals.set(product.currency, (totals.get(product.currency) ?? 0) + lineTotalMinor);
      return { productId: line.productId, quantity: line.quantity, product, lineTotalMinor, warnings };
    });
    return {
      lines: views,
      totals: [...totals].map(([currency, totalMinor]) => ({ currency, totalMinor })),
    };
  }

  async setQuantity(consumerId: string, productId: string, quantity: number): Promise<CartView> {
    const product = await this.products.findProduct(productId);
    if (!product) throw new OrdersError('not_found', 'product_not_found', 'No such product for sale.');
    const lines = await this.carts.lines(consumerId);
    const known = lines.some((line) => line.productId === productId);
    if (!known && lines.length >= MAX_CART_LINES) {
      throw new OrdersError('conflict', 'cart_full', `A cart holds at most ${MAX_CART_LINES} products.`);
    }
    await this.carts.setLine(consumerId, {
      productId,
      quantity,
      unitPriceMinorWhenAdded: product.priceMinor,
      currencyWhenAdded: product.currency,
      addedAt: new Date(),
    });
    return this.show(consumerId);
  }

  async remove(consumerId: string, productId: string): Promise<void> {
    await this.carts.removeLine(consumerId, productId);
  }

  async clear(consumerId: string): Promise<void> {
    await this.carts.clear(consumerId);
  }
}
