import type { Static } from '@marketshare/platform';
import type { ConsumerAnalytics, SellerAnalytics } from '../../domain/analytics.js';
import type { AnalyticsQuery, ConsumerAnalyticsView, SellerAnalyticsView } from './schemas.js';

type Query = Static<typeof AnalyticsQuery>;

const rangeOf = (query: Query) => ({ from: query.from ?? null, to: query.to ?? null });

export function presentConsumerAnalytics(
  analytics: ConsumerAnalytics,
  query: Query,
): Static<typeof ConsumerAnalyticsView> {
  return {
    range: rangeOf(query),
    orderCount: analytics.orderCount,
    byCurrency: analytics.byCurrency.map((entry) => ({
      currency: entry.currency,
      orderCount: entry.orderCount,
      totalSpentMinor: entry.totalSpentMinor,
      averageOrderMinor: entry.averageOrderMinor,
      biggestPurchase: {
        orderId: entry.biggestPurchase.orderId,
        totalMinor: entry.biggestPurchase.totalMinor,
        createdAt: entry.biggestPurchase.createdAt.toISOString(),
      },
      spendByMonth: entry.spendByMonth.map((month) => ({ ...month })),
      topSellers: entry.topSellers.map((seller) => ({ ...seller })),
    })),
  };
}

export function presentSellerAnalytics(
  analytics: SellerAnalytics,
  query: Query,
): Static<typeof SellerAnalyticsView> {
  return {
    range: rangeOf(query),
    orderCount: analytics.orderCount,
    ordersByStatus: { ...analytics.ordersByStatus },
    byCurrency: analytics.byCurrency.map((entry) => ({
      currency: entry.currency,
      orderCount: entry.orderCount,
      revenueMinor: entry.revenueMinor,
      platformFeeMinor: entry.platformFeeMinor,
      netRevenueMinor: entry.netRevenueMinor,
      unitsSold: entry.unitsSold,
      revenueByMonth: entry.revenueByMonth.map((month) => ({ ...month })),
      topProducts: entry.topProducts.map((product) => ({ ...product })),
    })),
  };
}
