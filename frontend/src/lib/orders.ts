/**
 * Carts, orders and a consumer's analytics as ms-orders presents them (cart/, orders/ and
 * analytics/ schemas.ts there), read defensively from its JSON. Browser-safe: no server imports.
 */

export const ORDER_STATUSES = [
  'RECEIVED',
  'IN_DELIVERY',
  'DELIVERED',
  'CANCELLED',
  'OUT_OF_STOCK',
  'REJECTED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const STATUS_LABELS: Record<OrderStatus, string> = {
  RECEIVED: 'Received',
  IN_DELIVERY: 'In delivery',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  OUT_OF_STOCK: 'Out of stock',
  REJECTED: 'Rejected',
};

/** No further change can come: the live stream ends at these. */
export const FINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED', 'OUT_OF_STOCK', 'REJECTED'];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && ORDER_STATUSES.some((status) => status === value);
}

export interface CartWarning {
  code: 'price_changed' | 'unavailable' | 'insufficient_stock';
  previousUnitPriceMinor: number | null;
  previousCurrency: string | null;
  available: number | null;
}

export interface CartLine {
  productId: string;
  quantity: number;
  name: string | null;
  sellerId: string | null;
  unitPriceMinor: number | null;
  currency: string | null;
  lineTotalMinor: number | null;
  inStock: number | null;
  warnings: CartWarning[];
}

export interface MoneyTotal {
  currency: string;
  totalMinor: number;
}

export interface Cart {
  items: CartLine[];
  totals: MoneyTotal[];
  warningCount: number;
}

export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface StatusChange {
  status: OrderStatus;
  at: string;
  by: string;
}

export interface Order {
  id: string;
  sellerId: string;
  status: OrderStatus;
  currency: string;
  items: OrderItem[];
  totalMinor: number;
  statusHistory: StatusChange[];
  createdAt: string;
}

export interface OrderPage {
  items: Order[];
  nextCursor: string | null;
}

export interface CurrencySpend {
  currency: string;
  orderCount: number;
  totalSpentMinor: number;
  averageOrderMinor: number;
  biggestPurchase: { orderId: string; totalMinor: number; createdAt: string };
  spendByMonth: { month: string; spentMinor: number; orderCount: number }[];
  topSellers: { sellerId: string; spentMinor: number; orderCount: number }[];
}

export interface ConsumerAnalytics {
  orderCount: number;
  byCurrency: CurrencySpend[];
}

const get = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const int = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Each entry read by `read`; entries it cannot read are left out rather than shown wrong. */
function each<T>(value: unknown, read: (entry: unknown) => T | null): T[] {
  return list(value).flatMap((entry) => {
    const item = read(entry);
    return item === null ? [] : [item];
  });
}

function toWarning(value: unknown): CartWarning | null {
  const code = get(value, 'code');
  if (code !== 'price_changed' && code !== 'unavailable' && code !== 'insufficient_stock') return null;
  return {
    code,
    previousUnitPriceMinor: int(get(value, 'previousUnitPriceMinor')),
    previousCurrency: str(get(value, 'previousCurrency')),
    available: int(get(value, 'available')),
  };
}

function toCartLine(value: unknown): CartLine | null {
  const productId = str(get(value, 'productId'));
  const quantity = int(get(value, 'quantity'));
  if (productId === null || quantity === null) return null;
  return {
    productId,
    quantity,
    name: str(get(value, 'name')),
    sellerId: str(get(value, 'sellerId')),
    unitPriceMinor: int(get(value, 'unitPriceMinor')),
    currency: str(get(value, 'currency')),
    lineTotalMinor: int(get(value, 'lineTotalMinor')),
    inStock: int(get(value, 'inStock')),
    warnings: each(get(value, 'warnings'), toWarning),
  };
}

function toTotal(value: unknown): MoneyTotal | null {
  const currency = str(get(value, 'currency'));
  const totalMinor = int(get(value, 'totalMinor'));
  return currency === null || totalMinor === null ? null : { currency, totalMinor };
}

export function toCart(body: unknown): Cart {
  return {
    items: each(get(body, 'items'), toCartLine),
    totals: each(get(body, 'totals'), toTotal),
    warningCount: int(get(body, 'warningCount')) ?? 0,
  };
}

function toOrderItem(value: unknown): OrderItem | null {
  const productId = str(get(value, 'productId'));
  const name = str(get(value, 'name'));
  const quantity = int(get(value, 'quantity'));
  const unitPriceMinor = int(get(value, 'unitPriceMinor'));
  const lineTotalMinor = int(get(value, 'lineTotalMinor'));
  if (productId === null || name === null || quantity === null) return null;
  if (unitPriceMinor === null || lineTotalMinor === null) return null;
  return { productId, name, quantity, unitPriceMinor, lineTotalMinor };
}

export function toStatusChange(value: unknown): StatusChange | null {
  const status = get(value, 'status');
  const at = str(get(value, 'at'));
  const by = str(get(value, 'by'));
  return isOrderStatus(status) && at !== null && by !== null ? { status, at, by } : null;
}

export function toOrder(value: unknown): Order | null {
  const id = str(get(value, 'id'));
  const sellerId = str(get(value, 'sellerId'));
  const status = get(value, 'status');
  const currency = str(get(value, 'currency'));
  const totalMinor = int(get(value, 'totalMinor'));
  const createdAt = str(get(value, 'createdAt'));
  if (id === null || sellerId === null || !isOrderStatus(status) || currency === null) return null;
  if (totalMinor === null || createdAt === null) return null;
  return {
    id,
    sellerId,
    status,
    currency,
    items: each(get(value, 'items'), toOrderItem),
    totalMinor,
    statusHistory: each(get(value, 'statusHistory'), toStatusChange),
    createdAt,
  };
}

export function toOrders(value: unknown): Order[] {
  return each(value, toOrder);
}

export function toOrderPage(body: unknown): OrderPage {
  return { items: toOrders(get(body, 'items')), nextCursor: str(get(body, 'nextCursor')) };
}

function toCurrencySpend(value: unknown): CurrencySpend | null {
  const currency = str(get(value, 'currency'));
  const orderCount = int(get(value, 'orderCount'));
  const totalSpentMinor = int(get(value, 'totalSpentMinor'));
  const averageOrderMinor = int(get(value, 'averageOrderMinor'));
  const biggest = get(value, 'biggestPurchase');
  const orderId = str(get(biggest, 'orderId'));
  const biggestTotal = int(get(biggest, 'totalMinor'));
  const biggestAt = str(get(biggest, 'createdAt'));
  if (currency === null || orderCount === null || totalSpentMinor === null || averageOrderMinor === null)
    return null;
  if (orderId === null || biggestTotal === null || biggestAt === null) return null;
  return {
    currency,
    orderCount,
    totalSpentMinor,
    averageOrderMinor,
    biggestPurchase: { orderId, totalMinor: biggestTotal, createdAt: biggestAt },
    spendByMonth: each(get(value, 'spendByMonth'), (entry) => {
      const month = str(get(entry, 'month'));
      const spentMinor = int(get(entry, 'spentMinor'));
      const count = int(get(entry, 'orderCount'));
      return month === null || spentMinor === null ? null : { month, spentMinor, orderCount: count ?? 0 };
    }),
    topSellers: each(get(value, 'topSellers'), (entry) => {
      const sellerId = str(get(entry, 'sellerId'));
      const spentMinor = int(get(entry, 'spentMinor'));
      const count = int(get(entry, 'orderCount'));
      return sellerId === null || spentMinor === null
        ? null
        : { sellerId, spentMinor, orderCount: count ?? 0 };
    }),
  };
}

export function toConsumerAnalytics(body: unknown): ConsumerAnalytics {
  return {
    orderCount: int(get(body, 'orderCount')) ?? 0,
    byCurrency: each(get(body, 'byCurrency'), toCurrencySpend),
  };
}

/** The cart's lines grouped by seller: checkout makes one order of each group. */
export function splitBySeller(lines: readonly CartLine[]): { sellerId: string; lines: CartLine[] }[] {
  const groups = new Map<string, CartLine[]>();
  for (const line of lines) {
    const key = line.sellerId ?? 'unknown';
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  return [...groups].map(([sellerId, grouped]) => ({ sellerId, lines: grouped }));
}

/** Sums per currency, in code order (money is never added across currencies). */
export function totalsByCurrency(
  amounts: readonly { currency: string | null; minor: number | null }[],
): MoneyTotal[] {
  const sums = new Map<string, number>();
  for (const { currency, minor } of amounts) {
    if (currency === null || minor === null) continue;
    sums.set(currency, (sums.get(currency) ?? 0) + minor);
  }
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, totalMinor]) => ({ currency, totalMinor }));
}

/** The buyer's shopping pages, for the site header (after "My account"). */
export const CONSUMER_NAV = [
  { href: '/cart', label: 'Cart' },
  { href: '/orders', label: 'Orders' },
  { href: '/analytics', label: 'Spending' },
] as const;
