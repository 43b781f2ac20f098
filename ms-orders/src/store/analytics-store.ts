import type { PipelineStage } from 'mongoose';
import {
  COUNTING_STATUSES,
  TOP_LIST_LENGTH,
  type AnalyticsRange,
  type AnalyticsSource,
  type ConsumerFigures,
  type ProductFigure,
  type SellerFigure,
  type SellerFigures,
} from '../domain/analytics.js';
import type { OrdersModels } from './models.js';

interface MonthGroup {
  _id: { currency: string; month: string };
  totalMinor: number;
  orderCount: number;
}

interface ConsumerFacets {
  totals: { _id: string; orderCount: number; totalMinor: number }[];
  biggest: { _id: string; orderId: string; totalMinor: number; createdAt: Date }[];
  months: MonthGroup[];
  topSellers: { _id: string; entries: SellerFigure[] }[];
}

interface SellerFacets {
  statuses: { _id: string; count: number }[];
  totals: {
    _id: string;
    orderCount: number;
    totalMinor: number;
    platformFeeMinor: number;
    unitsSold: number;
  }[];
  months: MonthGroup[];
  topProducts: { _id: string; entries: ProductFigure[] }[];
}

const counting = (): PipelineStage.Match => ({ $match: { status: { $in: [...COUNTING_STATUSES] } } });

/**
 * The first stage of every pipeline: one owner's orders (the {consumerId|sellerId, createdAt}
 * indexes serve it), so no aggregation ever reads beyond one account. The values come from the
 * verified token and from parsed dates, never from raw input.
 */
function ownerMatch(
  owner: 'consumerId' | 'sellerId',
  id: string,
  range: AnalyticsRange,
): PipelineStage.Match {
  const createdAt: Record<string, Date> = {};
  if (range.start) createdAt['$gte'] = range.start;
  if (range.end) createdAt['$lt'] = range.end;
  return { $match: { [owner]: id, ...(range.start || range.end ? { createdAt } : {}) } };
}

const byMonth = (): PipelineStage.FacetPipelineStage[] => [
  {
    $group: {
      _id: {
        currency: '$currency',
        month: { $dateToString: { format: '%Y-%m', date: '$createdAt', timezone: 'UTC' } },
      },
      totalMinor: { $sum: '$totalMinor' },
      orderCount: { $sum: 1 },
    },
  },
];

/**
 * Ranks pre-grouped rows by `sort` and keeps the first TOP_LIST_LENGTH of each currency, so the
 * answer stays small however many sellers or products an account has.
 */
const topPerCurrency = (
  sort: Record<string, 1 | -1>,
  entry: Record<string, string>,
): PipelineStage.FacetPipelineStage[] => [
  { $sort: sort },
  { $group: { _id: '$_id.currency', entries: { $push: entry } } },
  { $project: { entries: { $slice: ['$entries', TOP_LIST_LENGTH] } } },
];

const monthsOf = (groups: MonthGroup[]) =>
  groups.map((group) => ({
    currency: group._id.currency,
    month: group._id.month,
    totalMinor: group.totalMinor,
    orderCount: group.orderCount,
  }));

/**
 * Analytics as MongoDB aggregations over `orders`, one round trip per request: a $facet over
 * the owner's matched orders, so every figure comes from the same set of orders.
 * Only operators the mongo-java-server stand-in also implements are used ($match, $facet,
 * $group, $sum, $first, $push, $sort, $unwind, $project, $slice, $dateToString).
 */
export class MongoAnalyticsStore implements AnalyticsSource {
  constructor(private readonly models: OrdersModels) {}

  async consumerFigures(consumerId: string, range: AnalyticsRange): Promise<ConsumerFigures> {
    const [facets] = await this.models.orders.aggregate<ConsumerFacets>([
      ownerMatch('consumerId', consumerId, range),
      counting(),
      {
        $facet: {
          totals: [
            { $group: { _id: '$currency', orderCount: { $sum: 1 }, totalMinor: { $sum: '$totalMinor' } } },
          ],
          // Equal totals: the earliest order is the biggest purchase.
          biggest: [
            { $sort: { totalMinor: -1, createdAt: 1, _id: 1 } },
            {
              $group: {
                _id: '$currency',
                orderId: { $first: '$_id' },
                totalMinor: { $first: '$totalMinor' },
                createdAt: { $first: '$createdAt' },
              },
            },
          ],
          months: byMonth(),
          topSellers: [
            {
              $group: {
                _id: { currency: '$currency', sellerId: '$sellerId' },
                spentMinor: { $sum: '$totalMinor' },
                orderCount: { $sum: 1 },
              },
            },
            ...topPerCurrency(
              { spentMinor: -1, '_id.sellerId': 1 },
              { sellerId: '$_id.sellerId', spentMinor: '$spentMinor', orderCount: '$orderCount' },
            ),
          ],
        },
      },
    ]);
    return {
      totals: (facets?.totals ?? []).map(({ _id, ...total }) => ({ currency: _id, ...total })),
      biggest: (facets?.biggest ?? []).map(({ _id, ...biggest }) => ({ currency: _id, ...biggest })),
      months: monthsOf(facets?.months ?? []),
      topSellers: (facets?.topSellers ?? []).map((list) => ({ currency: list._id, sellers: list.entries })),
    };
  }

  async sellerFigures(sellerId: string, range: AnalyticsRange): Promise<SellerFigures> {
    const [facets] = await this.models.orders.aggregate<SellerFacets>([
      ownerMatch('sellerId', sellerId, range),
      {
        $facet: {
          statuses: [{ $group: { _id: '$status', count: { $sum: 1 } } }],
          totals: [
            counting(),
            {
              $group: {
                _id: '$currency',
                orderCount: { $sum: 1 },
                totalMinor: { $sum: '$totalMinor' },
                platformFeeMinor: { $sum: '$platformFeeMinor' },
                unitsSold: { $sum: { $sum: '$items.quantity' } },
              },
            },
          ],
          months: [counting(), ...byMonth()],
          topProducts: [
            counting(),
            // Newest first, so $first picks the name of the product's latest sale.
            { $sort: { createdAt: -1, _id: -1 } },
            { $unwind: '$items' },
            {
              $group: {
                _id: { currency: '$currency', productId: '$items.productId' },
                name: { $first: '$items.name' },
                units: { $sum: '$items.quantity' },
                revenueMinor: { $sum: '$items.lineTotalMinor' },
              },
            },
            ...topPerCurrency(
              { units: -1, revenueMinor: -1, '_id.productId': 1 },
              { productId: '$_id.productId', name: '$name', units: '$units', revenueMinor: '$revenueMinor' },
            ),
          ],
        },
      },
    ]);
    return {
      statuses: (facets?.statuses ?? []).map((group) => ({ status: group._id, count: group.count })),
      totals: (facets?.totals ?? []).map(({ _id, ...total }) => ({ currency: _id, ...total })),
      months: monthsOf(facets?.months ?? []),
      topProducts: (facets?.topProducts ?? []).map((list) => ({
        currency: list._id,
        products: list.entries,
      })),
    };
  }
}
