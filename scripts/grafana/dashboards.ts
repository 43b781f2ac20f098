/** Every dashboard of grafana/dashboards/, by file name. */
import { businessFlow, overview, serviceDetail, slos } from './dashboards-app.js';
import { gateway, linkerd, rabbitmq } from './dashboards-infra.js';
import type { Dashboard } from './lib.js';

export const DASHBOARDS: Record<string, () => Dashboard> = {
  'overview.json': overview,
  'service-detail.json': serviceDetail,
  'business-flow.json': businessFlow,
  'slo.json': slos,
  'gateway.json': gateway,
  'rabbitmq.json': rabbitmq,
  'linkerd.json': linkerd,
};

/** Dashboards whose metrics only exist in the cluster (the Linkerd proxies). */
export const CLUSTER_ONLY = new Set(['linkerd.json']);

export function renderDashboard(make: () => Dashboard): string {
  return `${JSON.stringify(make(), null, 2)}\n`;
}
