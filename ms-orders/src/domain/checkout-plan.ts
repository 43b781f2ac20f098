import { randomUUID } from 'node:crypto';
import {
  createEnvelope,
  EventTypes,
  type EventEnvelope,
  type OrderCreated,
} from '@marketshare/platform/contracts';
import { platformFeeMinor } from './money.js';
import type { Order, OrderItem, OrderStatus } from './orders.js';
import type { ProductSnapshot, RequestedItem, ReservedItem } from './ports.js';

/** The items of one future order: one seller, one currency. */
export interface OrderPlan {
  orderId: string;
  sellerId: string;
  currency: string;
  items: RequestedItem[];
}

/**
 * Splits the requested items into one order per seller (and per currency, should a seller
 * price products in several: an order has one total). Plans keep the request's item order.
 */
export function planOrders(items: RequestedItem[], products: Map<string, ProductSnapshot>): OrderPlan[] {
  const plans = new Map<string, OrderPlan>();
  for (const item of items) {
    const product = products.get(item.productId);
    if (!product) throw new Error(`no snapshot of product ${item.productId}`);
    const key = `${product.sellerId}\u0000${product.currency}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = { orderId: randomUUID(), sellerId: product.sellerId, currency: product.currency, items: [] };
      plans.set(key, plan);
    }
    plan.items.push(item);
  }
  return [...plans.values()];
}

/**
 * The lines of an order: reserved ones at the price ms-products reserved them at (the
 * authoritative one), refused ones at the price last seen.
 */
export function orderItems(
  plan: OrderPlan,
  products: Map<string, ProductSnapshot>,
  reserved: ReservedItem[] | undefined,
): OrderItem[] {
  return plan.items.map((item) => {
    const product = products.get(item.productId);
    const unitPriceMinor =
      reserved?.find((line) => line.productId === item.productId)?.unitPriceMinor ?? product?.priceMinor ?? 0;
    return {
      productId: item.productId,
      name: product?.name ?? '',
      quantity: item.quantity,
      unitPriceMinor,
      lineTotalMinor: unitPriceMinor * item.quantity,
    };
  });
}

export interface BuiltOrder {
  order: Order;
  event: EventEnvelope<OrderCreated>;
}

/** An order as checkout leaves it, with its order.created event. Only accepted orders carry a fee. */
export function buildOrder(
  plan: OrderPlan,
  consumerId: string,
  status: OrderStatus,
  items: OrderItem[],
  at: Date,
): BuiltOrder {
  const totalMinor = items.reduce((sum, item) => sum + item.lineTotalMinor, 0);
  const order: Order = {
    id: plan.orderId,
    consumerId,
    sellerId: plan.sellerId,
    status,
    currency: plan.currency,
    items,
    totalMinor,
    platformFeeMinor: status === 'RECEIVED' ? platformFeeMinor(totalMinor) : 0,
    statusHistory: [{ status, at, by: 'system' }],
    createdAt: at,
    updatedAt: at,
  };
  const event = createEnvelope<OrderCreated>(
    EventTypes.OrderCreated,
    {
      orderId: order.id,
      consumerId,
      sellerId: order.sellerId,
      status,
      totalMinor,
      currency: order.currency,
      items: items.map(({ productId, name, quantity, unitPriceMinor }) => ({
        productId,
        name,
        quantity,
        unitPriceMinor,
      })),
    },
    at,
  );
  return { order, event };
}
