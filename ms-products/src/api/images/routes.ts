import type { Route } from '@marketshare/platform';
import type { ProductsDeps } from '../../deps.js';

export function imageRoutes(_deps: ProductsDeps): Route[] {
  return [];
}
