import type { ParameterizedContext, Next } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';

/** What the platform keeps on ctx.state for every request. */
export interface AppState {
  requestId: string;
  log: Logger;
  /** The route template (`/api/users/:id`), never the raw path: bounded metric labels. */
  routeTemplate?: string;
  principal?: Principal;
}

export type AppContext = ParameterizedContext<AppState>;
export type AppMiddleware = (ctx: AppContext, next: Next) => Promise<void>;
