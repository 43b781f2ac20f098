/**
 * Following a Service port to the Linkerd Servers behind it, in rendered objects: the Service's
 * selector picks workloads, its targetPort names (or numbers) a container port, and a Server
 * selecting those pods on that port is the one whose policies decide who gets in. Shared by the
 * coverage check (every Service port has a Server) and the trace edges (which Server a URL hits).
 */
import type { KubeObject } from './helm.js';
import { WORKLOAD_KINDS, podLabels, podSpec } from './workload-checks.js';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);

const selects = (selector: Json, workload: KubeObject): boolean =>
  Object.entries(selector).every(([key, value]) => podLabels(workload)[key] === value);

export function linkerdServers(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'Server' && o.apiVersion.startsWith('policy.linkerd.io/'));
}

/** The Servers that admit traffic arriving at one port entry of a Service's spec.ports. */
export function serversBehindPort(objects: KubeObject[], service: KubeObject, port: Json): KubeObject[] {
  const selector = record(record(service['spec'])['selector']);
  const target = port['targetPort'] ?? port['port'];
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind) && selects(selector, o));
  return linkerdServers(objects).filter((server) => {
    const spec = record(server['spec']);
    const serverSelector = record(record(spec['podSelector'])['matchLabels']);
    return workloads.some((workload) => {
      const containerPort = list(podSpec(workload)['containers'])
        .flatMap((c) => list(c['ports']))
        .find((p) => p['name'] === target || p['containerPort'] === target);
      return (
        containerPort !== undefined &&
        selects(serverSelector, workload) &&
        (spec['port'] === containerPort['name'] || spec['port'] === containerPort['containerPort'])
      );
    });
  });
}

/**
 * The Server an in-cluster URL reaches (http://name:port, name.namespace, name.namespace.svc…),
 * or undefined when the host is not a rendered Service: an external endpoint.
 */
export function serverForUrl(objects: KubeObject[], url: string, namespace: string): KubeObject | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const [name, serviceNamespace = namespace, svc] = parsed.hostname.split('.');
  if (svc !== undefined && svc !== 'svc') return undefined;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const service = objects.find(
    (o) =>
      o.kind === 'Service' &&
      o.metadata.name === name &&
      (o.metadata.namespace ?? namespace) === serviceNamespace,
  );
  if (service === undefined) return undefined;
  const servicePort = list(record(service['spec'])['ports']).find((p) => p['port'] === port);
  return servicePort === undefined ? undefined : serversBehindPort(objects, service, servicePort)[0];
}
