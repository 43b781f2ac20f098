import { ORDER_STATUSES, type OrderStatus } from './orders.js';

export { ORDER_STATUSES };

/**
 * Purchase and sales analytics over a consumer's or a seller's own orders.
 *
 * Definitions (the API schema descriptions repeat them):
 * - Only orders in COUNTING_STATUSES are purchases (consumer) or sales (seller); cancelled,
 *   rejected and out-of-stock orders never moved money. `ordersByStatus` counts every status.
 * - Money is never added across currencies: every money figure lives in a per-currency entry.
 * - A month is a UTC calendar month of the order's `createdAt`, written `YYYY-MM`.
 * - A range covers whole UTC days: `from` from its 00:00, `to` up to the end of its day.
 */
export const COUNTING_STATUSES = [
  'RECEIVED',
  'IN_DELIVERY',
  'DELIVERED',
] as const satisfies readonly OrderStatus[];

/** Length of the top sellers and top products lists (per currency). */
export const TOP_LIST_LENGTH = 5;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Orders with `start <= createdAt < end`; a missing bound is open. */
export interface AnalyticsRange {
  start?: Date;
  end?: Date;
}

/** Whole UTC days: `from` (YYYY-MM-DD) from its first instant, `to` through its last. */
export function utcDayRange(from: string | undefined, to: string | undefined): AnalyticsRange {
  const range: AnalyticsRange = {};
  if (from !== undefined) range.start = new Date(`${from}T00:00:00.000Z`);
  if (to !== undefined) range.end = new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS);
  return range;
}

/** Rounded half up to a whole minor unit, in integers (amounts are never negative). */
export function averageMinor(totalMinor: number, count: number): number {
  if (count === 0) return 0;
  return Math.floor((2 * totalMinor + count) / (2 * count));
}

// --- What the store computes (already grouped in MongoDB) --------------------------------

export interface MonthFigure {
  currency: string;
  month: string;
  totalMinor: number;
  orderCount: number;
}

export interface SellerFigure {
  sellerId: string;
  spentMinor: number;
  orderCount: number;
}

export interface ProductFigure {
  productId: string;
  /** the name on the most recent counting order (names are snapshots taken at checkout) */
  name: string;
  units: number;
  revenueMinor: number;
}

export interface ConsumerFigures {
  totals: { currency: string; orderCount: number; totalMinor: number }[];
  biggest: { currency: string; orderId: string; totalMinor: number; createdAt: Date }[];
  months: MonthFigure[];
  /** per currency, at most TOP_LIST_LENGTH, ranked */
  topSellers: { currency: string; sellers: SellerFigure[] }[];
}

export interface SellerFigures {
  statuses: { status: string; count: number }[];
  totals: {
    currency: string;
    orderCount: number;
    totalMinor: number;
    platformFeeMinor: number;
    unitsSold: number;
  }[];
  months: MonthFigure[];
  /** per currency, at most TOP_LIST_LENGTH, ranked */
  topProducts: { currency: string; products: ProductFigure[] }[];
}

export interface AnalyticsSource {
  consumerFigures(consumerId: string, range: AnalyticsRange): Promise<ConsumerFigures>;
  sellerFigures(sellerId: string, range: AnalyticsRange): Promise<SellerFigures>;
}

// --- What the API shows ------------------------------------------------------------------

export interface ConsumerCurrencyAnalytics {
  currency: string;
  orderCount: number;
  totalSpentMinor: number;
  averageOrderMinor: number;
  biggestPurchase: { orderId: string; totalMinor: number; createdAt: Date };
  spendByMonth: { month: string; spentMinor: number; orderCount: number }[];
  topSellers: SellerFigure[];
}

export interface ConsumerAnalytics {
  orderCount: number;
  byCurrency: ConsumerCurrencyAnalytics[];
}

export interface SellerCurrencyAnalytics {
  currency: string;
  orderCount: number;
  revenueMinor: number;
  platformFeeMinor: number;
  netRevenueMinor: number;
  unitsSold: number;
  revenueByMonth: { month: string; revenueMinor: number; orderCount: number }[];
  topProducts: ProductFigure[];
}

export interface SellerAnalytics {
  orderCount: number;
  ordersByStatus: Record<(typeof ORDER_STATUSES)[number], number>;
  byCurrency: SellerCurrencyAnalytics[];
}

/** Biggest spend first; equal spend by seller id, so the order never depends on the database. */
export function compareSellers(a: SellerFigure, b: SellerFigure): number {
  return b.spentMinor - a.spentMinor || compareText(a.sellerId, b.sellerId);
}

/** Most units first, then most revenue, then product id. */
export function compareProducts(a: ProductFigure, b: ProductFigure): number {
  return b.units - a.units || b.revenueMinor - a.revenueMinor || compareText(a.productId, b.productId);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byCurrency = (a: { currency: string }, b: { currency: string }) => compareText(a.currency, b.currency);

function monthsOf(months: MonthFigure[], currency: string) {
  return months.filter((month) => month.currency === currency).sort((a, b) => compareText(a.month, b.month));
}

function topOf<T>(
  lists: { currency: string; entries: T[] }[],
  currency: string,
  compare: (a: T, b: T) => number,
) {
  const list = lists.find((entry) => entry.currency === currency)?.entries ?? [];
  return [...list].sort(compare).slice(0, TOP_LIST_LENGTH);
}

export function consumerAnalytics(figures: ConsumerFigures): ConsumerAnalytics {
  const sellerLists = figures.topSellers.map((entry) => ({
    currency: entry.currency,
    entries: entry.sellers,
  }));
  const currencies = [...figures.totals].sort(byCurrency).flatMap((total) => {
    const biggest = figures.biggest.find((entry) => entry.currency === total.currency);
    // The same matched orders feed every group, so a currency with a total has a biggest order.
    if (!biggest) return [];
    return [
      {
        currency: total.currency,
        orderCount: total.orderCount,
        totalSpentMinor: total.totalMinor,
        averageOrderMinor: averageMinor(total.totalMinor, total.orderCount),
        biggestPurchase: {
          orderId: biggest.orderId,
          totalMinor: biggest.totalMinor,
          createdAt: biggest.createdAt,
        },
        spendByMonth: monthsOf(figures.months, total.currency).map((month) => ({
          month: month.month,
          spentMinor: month.totalMinor,
          orderCount: month.orderCount,
        })),
        topSellers: topOf(sellerLists, total.currency, compareSellers),
      },
    ];
  });
  return { orderCount: sum(currencies.map((entry) => entry.orderCount)), byCurrency: currencies };
}

export function sellerAnalytics(figures: SellerFigures): SellerAnalytics {
  const productLists = figures.topProducts.map((entry) => ({
    currency: entry.currency,
    entries: entry.products,
  }));
  const currencies = [...figures.totals].sort(byCurrency).map((total) => ({
    currency: total.currency,
    orderCount: total.orderCount,
    revenueMinor: total.totalMinor,
    platformFeeMinor: total.platformFeeMinor,
    netRevenueMinor: total.totalMinor - total.platformFeeMinor,
    unitsSold: total.unitsSold,
    revenueByMonth: monthsOf(figures.months, total.currency).map((month) => ({
      month: month.month,
      revenueMinor: month.totalMinor,
      orderCount: month.orderCount,
    })),
    topProducts: topOf(productLists, total.currency, compareProducts),
  }));
  const ordersByStatus = Object.fromEntries(
    ORDER_STATUSES.map((status) => [
      status,
      sum(figures.statuses.filter((entry) => entry.status === status).map((entry) => entry.count)),
    ]),
  ) as SellerAnalytics['ordersByStatus']; // built from every key of ORDER_STATUSES just above
  return {
    orderCount: sum(currencies.map((entry) => entry.orderCount)),
    ordersByStatus,
    byCurrency: currencies,
  };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** A consumer's purchase analytics and a seller's sales analytics, each over their own orders only. */
export class Analytics {
  constructor(private readonly source: AnalyticsSource) {}

  async forConsumer(consumerId: string, range: AnalyticsRange): Promise<ConsumerAnalytics> {
    return consumerAnalytics(await this.source.consumerFigures(consumerId, range));
  }

  async forSeller(sellerId: string, range: AnalyticsRange): Promise<SellerAnalytics> {
    return sellerAnalytics(await this.source.sellerFigures(sellerId, range));
  }
}
