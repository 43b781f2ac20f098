import { defineRoute, type Route } from '@marketshare/platform';
import { Cart } from '../../domain/cart.js';
import type { OrdersDeps } from '../../deps.js';
import { MongoCartStore } from '../../store/carts-store.js';
import { COMMON_PROBLEMS, consumerOf, problem } from '../shared/problems.js';
import { presentCart } from './presenters.js';
import { CartItemParams, CartView, SetQuantityBody } from './schemas.js';

const CONSUMERS = { roles: ['consumer'] } as const;
const UNAVAILABLE = { 503: problem('ms-products is unavailable; nothing changed') };

/** A consumer's server-side cart, shown with the current prices and stock. */
export function cartRoutes(deps: OrdersDeps): Route[] {
  const cart = new Cart(new MongoCartStore(deps.models), deps.products);
  return [
    defineRoute({
      method: 'get',
      path: '/api/cart',
      operationId: 'showCart',
      summary:
        'The cart with current prices, stock and warnings (price changed, unavailable, too few in stock)',
      tags: ['cart'],
      auth: CONSUMERS,
      responses: { 200: { description: 'The cart', schema: CartView }, ...COMMON_PROBLEMS, ...UNAVAILABLE },
      handler: async ({ principal }) => ({ body: presentCart(await cart.show(consumerOf(principal))) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/cart/items/:productId',
      operationId: 'setCartItem',
      summary: 'Put a product in the cart or change its quantity',
      tags: ['cart'],
      auth: CONSUMERS,
      params: CartItemParams,
      body: SetQuantityBody,
      bodyLimitBytes: 1024,
      responses: {
        200: { description: 'The cart after the change', schema: CartView },
        ...COMMON_PROBLEMS,
        404: problem('product_not_found: the product does not exist or is not for sale'),
        409: problem('cart_full'),
        ...UNAVAILABLE,
      },
      handler: async ({ principal, params, body }) => {
        const consumerId = consumerOf(principal);
        const view = await cart.setQuantity(consumerId, params.productId.toLowerCase(), body.quantity);
        return { body: presentCart(view) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/cart/items/:productId',
      operationId: 'removeCartItem',
      summary: 'Take a product out of the cart (no error if it was not there)',
      tags: ['cart'],
      auth: CONSUMERS,
      params: CartItemParams,
      responses: { 204: { description: 'Removed' }, ...COMMON_PROBLEMS },
      handler: async ({ principal, params }) => {
        await cart.remove(consumerOf(principal), params.productId.toLowerCase());
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/cart',
      operationId: 'clearCart',
      summary: 'Empty the cart',
      tags: ['cart'],
      auth: CONSUMERS,
      responses: { 204: { description: 'Emptied' }, ...COMMON_PROBLEMS },
      handler: async ({ principal }) => {
        await cart.clear(consumerOf(principal));
        return { status: 204 };
      },
    }),
  ];
}
