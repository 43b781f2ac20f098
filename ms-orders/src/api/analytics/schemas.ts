import { Type } from '@marketshare/platform';
import { ORDER_STATUSES, TOP_LIST_LENGTH } from '../../domain/analytics.js';
import { Instant, MinorUnits } from '../shared/schemas.js';

const Day = (description: string) => Type.String({ format: 'date', description });

export const AnalyticsQuery = Type.Object(
  {
    from: Type.Optional(Day('First UTC day counted (YYYY-MM-DD), from 00:00:00Z; open when absent')),
    to: Type.Optional(Day('Last UTC day counted (YYYY-MM-DD), through 23:59:59.999Z; not before `from`')),
  },
  { additionalProperties: false },
);

const COUNTING =
  'Only orders in RECEIVED, IN_DELIVERY or DELIVERED count (CANCELLED, REJECTED and OUT_OF_STOCK never do).';
const PER_CURRENCY =
  'One entry per currency (ascending by code); money is never added across currencies. Minor units.';

const Range = Type.Object(
  {
    from: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    to: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  },
  { description: 'The days asked for (null: open); orders are placed by their createdAt' },
);

const Month = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}$',
  description: 'UTC calendar month of the orders’ createdAt (YYYY-MM)',
});
const Count = Type.Integer({ minimum: 0 });

export const ConsumerAnalyticsView = Type.Object(
  {
    range: Range,
    orderCount: Type.Integer({ minimum: 0, description: `Purchases in all currencies. ${COUNTING}` }),
    byCurrency: Type.Array(
      Type.Object({
        currency: Type.String(),
        orderCount: Count,
        totalSpentMinor: MinorUnits,
        averageOrderMinor: Type.Integer({
          description: 'totalSpentMinor / orderCount, rounded half up to a whole minor unit',
        }),
        biggestPurchase: Type.Object(
          { orderId: Type.String(), totalMinor: MinorUnits, createdAt: Instant },
          { description: 'The order with the largest total; equal totals: the earliest' },
        ),
        spendByMonth: Type.Array(Type.Object({ month: Month, spentMinor: MinorUnits, orderCount: Count }), {
          description: 'Ascending; only months with purchases are listed',
        }),
        topSellers: Type.Array(
          Type.Object({ sellerId: Type.String(), spentMinor: MinorUnits, orderCount: Count }),
          {
            maxItems: TOP_LIST_LENGTH,
            description: `The ${TOP_LIST_LENGTH} sellers with the largest spend; equal spend by sellerId`,
          },
        ),
      }),
      { description: PER_CURRENCY },
    ),
  },
  { description: `A consumer's purchases. ${COUNTING}` },
);

export const SellerAnalyticsView = Type.Object(
  {
    range: Range,
    orderCount: Type.Integer({ minimum: 0, description: `Sales in all currencies. ${COUNTING}` }),
    ordersByStatus: Type.Object(Object.fromEntries(ORDER_STATUSES.map((status) => [status, Count])), {
      description: 'Orders in the range by current status, every status listed (zeros too)',
    }),
    byCurrency: Type.Array(
      Type.Object({
        currency: Type.String(),
        orderCount: Count,
        revenueMinor: Type.Integer({ description: 'Sum of the orders’ totals (their items)' }),
        platformFeeMinor: Type.Integer({ description: 'Sum of the platform’s commission on those orders' }),
        netRevenueMinor: Type.Integer({ description: 'revenueMinor − platformFeeMinor' }),
        unitsSold: Count,
        revenueByMonth: Type.Array(
          Type.Object({ month: Month, revenueMinor: MinorUnits, orderCount: Count }),
          { description: 'Ascending; only months with sales are listed' },
        ),
        topProducts: Type.Array(
          Type.Object({
            productId: Type.String(),
            name: Type.String({ description: 'As on its latest sale' }),
            units: Count,
            revenueMinor: MinorUnits,
          }),
          {
            maxItems: TOP_LIST_LENGTH,
            description: `The ${TOP_LIST_LENGTH} products with most units, then most revenue, then by productId`,
          },
        ),
      }),
      { description: PER_CURRENCY },
    ),
  },
  { description: `A seller's sales. ${COUNTING}` },
);
