import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';

export interface UsersMetrics {
  registered: Counter<'role'>;
  loginChecks: Counter<'outcome'>;
}

/** Business counters on the app's own registry (several apps share a process in tests). */
export function createUsersMetrics(registry: MetricsRegistry): UsersMetrics {
  return {
    registered: new Counter({
      name: 'users_registered_total',
      help: 'Accounts registered, by role',
      labelNames: ['role'],
      registers: [registry],
    }),
    loginChecks: new Counter({
      name: 'login_checks_total',
      help: 'Credential checks asked for by ms-auth, by outcome (the caller only sees valid or not)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
