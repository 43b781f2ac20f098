/**
 * Linkerd policy checks on rendered objects: schemas (linkerd-schemas.ts), every Service port
 * has a Server, every Server an AuthorizationPolicy, and the callers the policies allow are
 * exactly the call graph read from the code: the services' config schemas (which *_URL they
 * read), gateway/haproxy.cfg (which ${*_ADDR} it forwards to) and Prometheus on /metrics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from './helm.js';
import { REPO_ROOT, objectId } from './helm.js';
import { LINKERD_SCHEMAS } from './linkerd-schemas.js';
import { validateAgainst } from './schema-walk.js';
import { DEPLOYABLES, configVariables } from './service-config.js';
import { WORKLOAD_KINDS, podLabels, podSpec } from './workload-checks.js';

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

interface Authorized {
  /** ServiceAccounts of our namespace allowed on the component's non-metrics routes/ports. */
  callers: Set<string>;
  /** Identities (namespace/name) allowed on its metrics routes. */
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
    const entry = result.get(component) ?? { callers: new Set(), metricsReaders: new Set() };
    result.set(component, entry);
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

/** The allowed callers of every component equal the call graph from the code, no more, no less. */
export function checkCallGraph(
  objects: KubeObject[],
  expected = expectedCallGraph(),
  prometheus = 'linkerd-viz/prometheus',
): string[] {
  const namespace = objects.find((o) => o.kind === 'Server')?.metadata.namespace ?? 'marketshare';
  const authorized = authorizedCallers(objects, namespace);
  const problems: string[] = [];
  const datastores = objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
  for (const [callee, callers] of expected) {
    if (!authorized.has(callee) && !datastores.includes(callee) && !DEPLOYABLES.some((d) => d === callee))
      continue;
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
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const selector = record(record(service['spec'])['selector']);
    const selected = workloads.filter((w) =>
      Object.entries(selector).every(([key, value]) => podLabels(w)[key] === value),
    );
    for (const port of list(record(service['spec'])['ports'])) {
      const target = port['targetPort'] ?? port['port'];
      const covered = selected.some((workload) => {
        const containerPorts = list(podSpec(workload)['containers']).flatMap((c) => list(c['ports']));
        const containerPort = containerPorts.find(
          (p) => p['name'] === target || p['containerPort'] === target,
        );
        return servers.some((server) => {
          const spec = record(server['spec']);
          const matchLabels = record(record(spec['podSelector'])['matchLabels']);
          const selects = Object.entries(matchLabels).every(
            ([key, value]) => podLabels(workload)[key] === value,
          );
          return (
            selects &&
            (spec['port'] === containerPort?.['name'] || spec['port'] === containerPort?.['containerPort'])
          );
        });
      });
      if (!covered)
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
