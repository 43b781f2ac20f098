import type { Route } from '@marketshare/platform';
import type { ProductsDeps } from '../../deps.js';

export function reservationRoutes(_deps: ProductsDeps): Route[] {
  return [];
}
