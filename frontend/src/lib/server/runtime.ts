/** What the server builds once at start (the init hook) and every request then uses. */
import { createAuthClient } from './auth-client.js';
import type { AuthClient, GrantResult } from './auth-client.js';
import { cookiesAreSecure } from './config.js';
import type { FrontendConfig } from './config.js';
import { createSealer } from './session/seal.js';
import type { Sealer } from './session/seal.js';
import type { SessionPolicy } from './session/session.js';
import { SingleFlight } from './session/single-flight.js';
import { createUpstreamClient } from './upstream.js';
import type { UpstreamClient } from './upstream.js';

export interface Runtime {
  config: FrontendConfig;
  sealer: Sealer;
  policy: SessionPolicy;
  secureCookies: boolean;
  upstream: UpstreamClient;
  auth: AuthClient;
  refreshes: SingleFlight<GrantResult>;
}

let current: Runtime | undefined;

export function createRuntime(config: FrontendConfig): Runtime {
  const upstream = createUpstreamClient(
    {
      'ms-auth': config.AUTH_URL,
      'ms-users': config.USERS_URL,
      'ms-products': config.PRODUCTS_URL,
      'ms-orders': config.ORDERS_URL,
    },
    config.API_TIMEOUT_MS,
  );
  return {
    config,
    sealer: createSealer(config.SESSION_SECRET, 'session'),
    policy: {
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
      accountCheckMs: config.SESSION_ACCOUNT_CHECK_SECONDS * 1000,
    },
    secureCookies: cookiesAreSecure(config.ORIGIN),
    upstream,
    auth: createAuthClient(upstream, { id: config.CLIENT_ID, secret: config.CLIENT_SECRET }),
    refreshes: new SingleFlight<GrantResult>(30_000),
  };
}

export function installRuntime(runtime: Runtime): void {
  current = runtime;
}

export function runtime(): Runtime {
  if (current === undefined) throw new Error('the frontend runtime is used before the init hook ran');
  return current;
}
