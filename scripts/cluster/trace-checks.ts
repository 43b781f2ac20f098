/**
 * The trace backend in rendered objects. Its edges of the call graph are read from the data that
 * makes them rather than listed: each deployable's OTEL_EXPORTER_OTLP_ENDPOINT (it sends its spans
 * there) and the URL of Grafana's trace datasource in kubernetes/grafana-values.yaml (Grafana
 * reads traces there), each resolved to the Linkerd Server that serves it. An endpoint that is
 * no rendered Service (an external OTLP receiver) adds no edge: our policies do not cover it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from './helm.js';
import { REPO_ROOT } from './helm.js';
import { serverForUrl } from './mesh-lookup.js';
import { DEPLOYABLES } from './service-config.js';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export const GRAFANA_VALUES_FILE = path.join(REPO_ROOT, 'kubernetes/grafana-values.yaml');
/** The datasource uid the exemplar links and dashboards use (grafana/provisioning/datasources). */
export const TRACES_DATASOURCE_UID = 'marketshare-traces';
/** kubernetes/README.md installs the Grafana chart with `-n grafana`; the values cannot say so. */
const GRAFANA_NAMESPACE = 'grafana';
/** The in-cluster backend's Deployment and the container port its OTLP/HTTP receiver listens on. */
const TRACE_BACKEND = 'jaeger';
const OTLP_PORT_NAME = 'otlp-http';

const namespaceOf = (objects: KubeObject[]): string =>
  objects.find((o) => o.kind === 'Server')?.metadata.namespace ?? 'marketshare';

/** A deployable's rendered ConfigMap data (where the chart puts the OTEL_* variables). */
function deployableConfig(objects: KubeObject[], deployable: string): Record<string, string> {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${deployable}-config`);
  return Object.fromEntries(Object.entries(record(configMap?.['data'])).map(([k, v]) => [k, text(v)]));
}

const exportsOtlp = (config: Record<string, string>): boolean =>
  (config['OTEL_TRACES_EXPORTER'] ?? '').split(',').some((name) => name.trim() === 'otlp');

export function readGrafanaValues(file = GRAFANA_VALUES_FILE): unknown {
  return parse(readFileSync(file, 'utf8'));
}

/** Server name -> callers: deployables -> their OTLP endpoint, Grafana -> its trace datasource. */
export function traceEdges(
  objects: KubeObject[],
  grafanaValues: unknown = readGrafanaValues(),
): Map<string, Set<string>> {
  const namespace = namespaceOf(objects);
  const edges = new Map<string, Set<string>>();
  const add = (server: KubeObject | undefined, caller: string): void => {
    if (server !== undefined)
      edges.set(server.metadata.name, (edges.get(server.metadata.name) ?? new Set()).add(caller));
  };
  for (const deployable of DEPLOYABLES) {
    const config = deployableConfig(objects, deployable);
    const endpoint = config['OTEL_EXPORTER_OTLP_ENDPOINT'];
    if (exportsOtlp(config) && endpoint !== undefined)
      add(serverForUrl(objects, endpoint, namespace), deployable);
  }
  const grafana = record(grafanaValues);
  const datasources = list(record(record(grafana['datasources'])['datasources.yaml'])['datasources']);
  const traces = datasources.find((d) => d['uid'] === TRACES_DATASOURCE_UID);
  const account = text(record(grafana['serviceAccount'])['name']);
  if (traces !== undefined && account !== '')
    add(serverForUrl(objects, text(traces['url']), namespace), `${GRAFANA_NAMESPACE}/${account}`);
  return edges;
}

/**
 * The standard OTEL_* variables of every deployable: its own OTEL_SERVICE_NAME; either an OTLP
 * exporter with an http(s) endpoint or OTEL_TRACES_EXPORTER=none; and, when the chart runs
 * Jaeger, the endpoint is Jaeger's OTLP/HTTP port (not its query port, not elsewhere).
 */
export function checkTracingEnvironment(objects: KubeObject[]): string[] {
  const namespace = namespaceOf(objects);
  const backendRendered = objects.some((o) => o.kind === 'Deployment' && o.metadata.name === TRACE_BACKEND);
  const problems: string[] = [];
  for (const deployable of DEPLOYABLES) {
    const config = deployableConfig(objects, deployable);
    const at = `ConfigMap/${deployable}-config`;
    const exporter = config['OTEL_TRACES_EXPORTER'];
    const endpoint = config['OTEL_EXPORTER_OTLP_ENDPOINT'];
    if (config['OTEL_SERVICE_NAME'] !== deployable)
      problems.push(
        `${at}: OTEL_SERVICE_NAME is ${config['OTEL_SERVICE_NAME'] ?? 'not set'}, not ${deployable}`,
      );
    if (exportsOtlp(config)) {
      if (endpoint === undefined || !/^https?:\/\/[^/]+/.test(endpoint))
        problems.push(`${at}: OTEL_TRACES_EXPORTER=otlp without an http(s) OTEL_EXPORTER_OTLP_ENDPOINT`);
    } else if (exporter !== 'none') {
      problems.push(`${at}: OTEL_TRACES_EXPORTER is ${exporter ?? 'not set'}; the chart sets otlp or none`);
    }
    if (!backendRendered) continue;
    const server = endpoint === undefined ? undefined : serverForUrl(objects, endpoint, namespace);
    const reachesReceiver =
      server !== undefined &&
      record(record(record(server['spec'])['podSelector'])['matchLabels'])['app.kubernetes.io/name'] ===
        TRACE_BACKEND &&
      record(server['spec'])['port'] === OTLP_PORT_NAME;
    if (!exportsOtlp(config) || !reachesReceiver)
      problems.push(
        `${at}: Jaeger runs in the cluster but spans go to ${exportsOtlp(config) ? (endpoint ?? 'nowhere') : 'nowhere'}, not its ${OTLP_PORT_NAME} port`,
      );
  }
  return problems;
}
