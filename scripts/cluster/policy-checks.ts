/**
 * Linkerd policy checks on rendered objects: schemas (linkerd-schemas.ts), every Service port
 * has a Server, every Server an AuthorizationPolicy, and the callers the policies allow are
 * exactly the call graph read from the code: the services' config schemas (which *_URL they
 * read), gateway/haproxy.cfg (which ${*_ADDR} it forwards to), Prometheus on /metrics, and the
 * trace backend's edges (trace-checks.ts: each deployable's OTLP endpoint, Grafana's datasource).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from './helm.js';
import { REPO_ROOT, objectId } from './helm.js';
import { LINKERD_SCHEMAS } from './linkerd-schemas.js';
import { serversBehindPort } from './mesh-lookup.js';
import { validateAgainst } from './schema-walk.js';
import { DEPLOYABLES, configVariables } from './service-config.js';
import { traceEdges } from './trace-checks.js';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function checkLinkerdSchemas(objects: KubeObject[]): string[] {
  return objects
    .filter(
      (o) => o.apiVersion.endsWith('linkerd.io/v1alpha1') || o.apiVersion.endsWith('linkerd.io/v1beta3'),
    )
    .flatMap((o) => {
      const schema = LINKERD_SCHEMAS.get(`${o.apiVersion}/${o.kind}`);
      if (schema === undefined) return [`${objectId(o)}: no schema for ${o.apiVersion} ${o.kind}`];
      return validateAgainst(schema, o).map((problem) => `${objectId(o)}: ${problem}`);
    });
}

/** Which variable of a service's config names which callee. */
export const CALLEE_OF_VARIABLE: Readonly<Record<string, string>> = {
  AUTH_URL: 'ms-auth',
  AUTH_JWKS_URL: 'ms-auth',
  AUTH_TOKEN_URL: 'ms-auth',
  USERS_URL: 'ms-users',
  PRODUCTS_URL: 'ms-products',
  ORDERS_URL: 'ms-orders',
  MYSQL_URL: 'mariadb',
  POSTGRES_URL: 'postgres',
  MONGO_URL: 'mongodb',
  RABBITMQ_URL: 'rabbitmq',
  SMTP_URL: 'mailpit',
};

/** callee -> callers, from the code. `metrics` lists the components Prometheus scrapes. */
export function expectedCallGraph(
  haproxyCfg = readFileSync(path.join(REPO_ROOT, 'gateway/haproxy.cfg'), 'utf8'),
): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const add = (callee: string, caller: string): void => {
    graph.set(callee, (graph.get(callee) ?? new Set()).add(caller));
  };
  for (const deployable of DEPLOYABLES) {
    graph.set(deployable, graph.get(deployable) ?? new Set());
    for (const variable of configVariables(deployable)) {
      const callee = CALLEE_OF_VARIABLE[variable.name];
      if (callee !== undefined && callee !== deployable) add(callee, deployable);
    }
  }
  for (const match of haproxyCfg.matchAll(/"\$\{([A-Z_]+)_ADDR\}"/g)) {
    add((match[1] ?? '').toLowerCase().replace(/_/g, '-'), 'gateway');
  }
  return graph;
}

/** The union of call graphs (callee -> callers), e.g. the code's and the trace backend's. */
export function mergeCallGraphs(...graphs: Map<string, Set<string>>[]): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const graph of graphs)
    for (const [callee, callers] of graph)
      merged.set(callee, new Set([...(merged.get(callee) ?? []), ...callers]));
  return merged;
}

/**
 * Keyed by Server name for callers (a component's main Server is named after it; Jaeger's OTLP
 * and query ports are the Servers jaeger and jaeger-query, with different callers), and by
 * component for metrics readers (rabbitmq's /metrics is on its Server rabbitmq-metrics).
 */
interface Authorized {
  /** ServiceAccounts allowed on the Server's non-metrics routes/ports (namespace/name if foreign). */
  callers: Set<string>;
  /** Identities (namespace/name) allowed on the component's metrics routes. */
  metricsReaders: Set<string>;
}

function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind && o.apiVersion.startsWith('policy.linkerd.io/'));
}

/** Servers and routes that every AuthorizationPolicy reaches, and whom it lets in. */
function authorizedCallers(objects: KubeObject[], namespace: string): Map<string, Authorized> {
  const servers = byKind(objects, 'Server');
  const routes = byKind(objects, 'HTTPRoute');
  const meshTls = new Map(byKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o]));
  const result = new Map<string, Authorized>();
  for (const policy of byKind(objects, 'AuthorizationPolicy')) {
    const target = record(record(policy['spec'])['targetRef']);
    let serverName = text(target['name']);
    let isMetrics = false;
    if (target['kind'] === 'HTTPRoute') {
      const route = routes.find((r) => r.metadata.name === serverName);
      serverName = text(list(record(route?.['spec'])['parentRefs'])[0]?.['name']);
      const paths = list(record(route?.['spec'])['rules']).flatMap((rule) =>
        list(rule['matches']).map((m) => text(record(m['path'])['value'])),
      );
      isMetrics = paths.length > 0 && paths.every((p) => p === '/metrics');
    }
    const server = servers.find((s) => s.metadata.name === serverName);
    const component = text(
      record(record(record(server?.['spec'])['podSelector'])['matchLabels'])['app.kubernetes.io/name'],
    );
    const key = isMetrics ? component : serverName;
    const entry = result.get(key) ?? { callers: new Set(), metricsReaders: new Set() };
    result.set(key, entry);
    for (const ref of list(record(policy['spec'])['requiredAuthenticationRefs'])) {
      if (ref['kind'] !== 'MeshTLSAuthentication') continue;
      for (const identity of list(record(meshTls.get(text(ref['name']))?.['spec'])['identityRefs'])) {
        const identityNamespace = text(identity['namespace']) || namespace;
        const name = text(identity['name']);
        if (isMetrics) entry.metricsReaders.add(`${identityNamespace}/${name}`);
        else if (identityNamespace === namespace) entry.callers.add(name);
        else entry.callers.add(`${identityNamespace}/${name}`);
      }
    }
  }
  return result;
}

/**
 * The allowed callers of every Server equal the call graph from the code, no more, no less.
 * Callees that are not rendered (a datastore switched off, no trace backend) are skipped.
 */
export function checkCallGraph(
  objects: KubeObject[],
  expected = mergeCallGraphs(expectedCallGraph(), traceEdges(objects)),
  prometheus = 'linkerd-viz/prometheus',
): string[] {
  const namespace = objects.find((o) => o.kind === 'Server')?.metadata.namespace ?? 'marketshare';
  const authorized = authorizedCallers(objects, namespace);
  const problems: string[] = [];
  const rendered = new Set([
    ...objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name),
    ...byKind(objects, 'Server').map((o) => o.metadata.name),
    ...DEPLOYABLES,
  ]);
  for (const [callee, callers] of expected) {
    if (!authorized.has(callee) && !rendered.has(callee)) continue;
    const allowed = authorized.get(callee)?.callers ?? new Set<string>();
    for (const caller of callers) {
      if (!allowed.has(caller))
        problems.push(`${caller} calls ${callee} (its configuration says so) but no policy allows it`);
    }
    for (const caller of allowed) {
      if (!callers.has(caller))
        problems.push(`${caller} is allowed to call ${callee} but nothing in the code calls it`);
    }
  }
  for (const [component, { callers }] of authorized) {
    if (!expected.has(component))
      for (const caller of callers)
        problems.push(`${caller} is allowed to call ${component}, which the call graph does not know`);
  }
  const scraped = [...DEPLOYABLES, 'gateway', 'rabbitmq'];
  for (const component of scraped) {
    const readers = authorized.get(component)?.metricsReaders ?? new Set<string>();
    if (authorized.has(component) && !readers.has(prometheus))
      problems.push(`Prometheus (${prometheus}) may not read ${component}'s /metrics`);
    for (const reader of readers)
      if (reader !== prometheus)
        problems.push(`${reader} may read ${component}'s /metrics; only Prometheus should`);
  }
  return problems;
}

/** Every port a Service exposes has a Server; every Server has an AuthorizationPolicy. */
export function checkServerCoverage(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const servers = byKind(objects, 'Server');
  const routes = byKind(objects, 'HTTPRoute');
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    for (const port of list(record(service['spec'])['ports'])) {
      if (serversBehindPort(objects, service, port).length === 0)
        problems.push(
          `${objectId(service)} port ${text(port['name']) || String(port['port'])}: no Linkerd Server for it`,
        );
    }
  }
  const policies = byKind(objects, 'AuthorizationPolicy');
  for (const server of servers) {
    const routeNames = routes
      .filter((r) =>
        list(record(r['spec'])['parentRefs']).some((ref) => ref['name'] === server.metadata.name),
      )
      .map((r) => r.metadata.name);
    const hasPolicy = policies.some((p) => {
      const target = record(record(p['spec'])['targetRef']);
      return (
        (target['kind'] === 'Server' && target['name'] === server.metadata.name) ||
        (target['kind'] === 'HTTPRoute' && routeNames.includes(text(target['name'])))
      );
    });
    if (!hasPolicy) problems.push(`${objectId(server)}: no AuthorizationPolicy targets it or its routes`);
  }
  return problems;
}
