import {
  defineRoute,
  forbidden,
  validationFailed,
  type Principal,
  type Route,
  type Static,
} from '@marketshare/platform';
import { Analytics, utcDayRange, type AnalyticsRange } from '../../domain/analytics.js';
import type { OrdersDeps } from '../../deps.js';
import { MongoAnalyticsStore } from '../../store/analytics-store.js';
import { actorOf, COMMON_PROBLEMS, consumerOf } from '../shared/problems.js';
import { presentConsumerAnalytics, presentSellerAnalytics } from './presenters.js';
import { AnalyticsQuery, ConsumerAnalyticsView, SellerAnalyticsView } from './schemas.js';

/** Both bounds are whole days (the schema checked the format); a reversed range is refused. */
function rangeOf(query: Static<typeof AnalyticsQuery>): AnalyticsRange {
  // YYYY-MM-DD strings order like the days they name.
  if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
    throw validationFailed([{ field: 'query.to', message: 'must not be before from' }]);
  }
  return utcDayRange(query.from, query.to);
}

/** The route admits sellers only, so any other actor here is a bug turned into a 403. */
function sellerOf(principal: Principal | undefined): string {
  const actor = actorOf(principal);
  if (actor.role !== 'seller') throw forbidden('forbidden', 'Only sellers do this.');
  return actor.id;
}

export function analyticsRoutes(deps: OrdersDeps): Route[] {
  const analytics = new Analytics(new MongoAnalyticsStore(deps.models));
  return [
    defineRoute({
      method: 'get',
      path: '/api/analytics/consumer',
      operationId: 'consumerAnalytics',
      summary:
        "The caller's purchases per currency: total spent, order count, average, biggest purchase, spend by month, top sellers",
      tags: ['analytics'],
      auth: { roles: ['consumer'] },
      query: AnalyticsQuery,
      responses: { 200: { description: 'The figures', schema: ConsumerAnalyticsView }, ...COMMON_PROBLEMS },
      handler: async ({ principal, query }) => ({
        body: presentConsumerAnalytics(
          await analytics.forConsumer(consumerOf(principal), rangeOf(query)),
          query,
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/seller',
      operationId: 'sellerAnalytics',
      summary:
        "The caller's sales per currency: revenue, platform fees, net revenue, units, revenue by month, top products; orders by status",
      tags: ['analytics'],
      auth: { roles: ['seller'] },
      query: AnalyticsQuery,
      responses: { 200: { description: 'The figures', schema: SellerAnalyticsView }, ...COMMON_PROBLEMS },
      handler: async ({ principal, query }) => ({
        body: presentSellerAnalytics(await analytics.forSeller(sellerOf(principal), rangeOf(query)), query),
      }),
    }),
  ];
}
