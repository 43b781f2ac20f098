/**
 * Checks on rendered workloads: hardening, probes, resources, ServiceAccounts, images, the
 * environment each service's config schema requires, and the stated minikube footprint.
 * Each returns a list of problems (empty = pass), every one naming the object and the field.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from './helm.js';
import { REPO_ROOT, objectId } from './helm.js';
import { IMAGES, IMAGE_REPOSITORY_PREFIX } from './images.js';
import { DEPLOYABLES, configVariables, requiredVariables, type Deployable } from './service-config.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}
function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

export function podSpec(workload: KubeObject): Json {
  return record(record(record(workload['spec'])['template'])['spec']);
}
export function podLabels(workload: KubeObject): Record<string, string> {
  const labels = record(record(record(record(workload['spec'])['template'])['metadata'])['labels']);
  return Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, text(value)]));
}

/** Probes, requests and limits, the hardened securityContext and an own ServiceAccount. */
export function checkWorkloads(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const serviceAccounts = new Set(
    objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name),
  );
  const accountUsers = new Map<string, string[]>();
  for (const workload of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const id = objectId(workload);
    const pod = podSpec(workload);
    const podSecurity = record(pod['securityContext']);
    const account = text(pod['serviceAccountName']);
    if (account === '' || account === 'default')
      problems.push(`${id}: no own ServiceAccount (serviceAccountName)`);
    else if (!serviceAccounts.has(account)) problems.push(`${id}: ServiceAccount ${account} is not rendered`);
    accountUsers.set(account, [...(accountUsers.get(account) ?? []), id]);
    if (record(podSecurity['seccompProfile'])['type'] !== 'RuntimeDefault')
      problems.push(`${id}: pod seccompProfile is not RuntimeDefault`);
    for (const container of list(pod['containers'])) {
      const at = `${id} container ${text(container['name'])}`;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (container[probe] === undefined) problems.push(`${at}: no ${probe}`);
      }
      const resources = record(container['resources']);
      for (const side of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (record(resources[side])[resource] === undefined) problems.push(`${at}: no ${side}.${resource}`);
        }
      }
      const security = record(container['securityContext']);
      if (security['readOnlyRootFilesystem'] !== true)
        problems.push(`${at}: readOnlyRootFilesystem is not true`);
      if (security['allowPrivilegeEscalation'] !== false)
        problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (security['runAsNonRoot'] !== true && podSecurity['runAsNonRoot'] !== true)
        problems.push(`${at}: runAsNonRoot is not true`);
      const dropped = record(security['capabilities'])['drop'];
      if (!Array.isArray(dropped) || !dropped.includes('ALL'))
        problems.push(`${at}: capabilities.drop lacks ALL`);
    }
  }
  for (const [account, users] of accountUsers) {
    if (users.length > 1 && account !== '')
      problems.push(`ServiceAccount ${account} is shared by ${users.join(', ')}`);
  }
  return problems;
}

/** Our images must be the ones scripts/cluster/images.ts builds, from a Dockerfile that exists. */
export function checkImages(objects: KubeObject[], repoRoot = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const workload of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    for (const container of [
      ...list(podSpec(workload)['containers']),
      ...list(podSpec(workload)['initContainers']),
    ]) {
      const image = text(container['image']);
      const at = `${objectId(workload)} image ${image}`;
      if (image.startsWith(`${IMAGE_REPOSITORY_PREFIX}/`)) {
        const spec = IMAGES.find((candidate) => candidate.tag === image);
        if (spec === undefined)
          problems.push(
            `${at}: not an image scripts/cluster/images.ts builds (${IMAGES.map((i) => i.tag).join(', ')})`,
          );
        else if (!existsSync(path.join(repoRoot, spec.dockerfile)))
          problems.push(`${at}: ${spec.dockerfile} does not exist`);
      } else if (!/^[a-z0-9][a-z0-9./-]*:[A-Za-z0-9][A-Za-z0-9._-]*$/.test(image) || /:latest$/.test(image)) {
        problems.push(`${at}: a public image must be pinned to a version tag`);
      }
    }
  }
  return problems;
}

function configMapKeys(objects: KubeObject[], name: string): Set<string> {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
  return new Set(Object.keys(record(configMap?.['data'])));
}

/**
 * Every variable a deployable's config schema requires is set (its ConfigMap or env), every
 * sensitive one from the Secret (a secretKeyRef, or a $(VAR) composition of secretKeyRefs),
 * never in a ConfigMap; every $(VAR) used is defined.
 */
export function checkEnvironment(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const deployable of DEPLOYABLES) {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployable);
    if (deployment === undefined) {
      problems.push(`Deployment/${deployable}: missing`);
      continue;
    }
    const container = list(podSpec(deployment)['containers'])[0] ?? {};
    const fromConfigMaps = new Set<string>();
    for (const source of list(container['envFrom'])) {
      const name = text(record(source['configMapRef'])['name']);
      for (const key of configMapKeys(objects, name)) fromConfigMaps.add(key);
    }
    const fromSecret = new Set<string>();
    const env = new Map<string, Json>();
    for (const variable of list(container['env'])) {
      const name = text(variable['name']);
      env.set(name, variable);
      if (record(record(variable['valueFrom'])['secretKeyRef'])['key'] !== undefined) fromSecret.add(name);
    }
    const defined = new Set([...fromConfigMaps, ...env.keys()]);
    const at = `Deployment/${deployable}`;
    for (const [name, variable] of env) {
      for (const match of text(variable['value']).matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
        if (match[1] !== undefined && !defined.has(match[1]))
          problems.push(`${at}: ${name} uses $(${match[1]}), which is not set`);
      }
    }
    for (const name of requiredVariables(deployable)) {
      if (!defined.has(name))
        problems.push(`${at}: required variable ${name} (${deployable}'s config schema) is not set`);
    }
    for (const variable of configVariables(deployable).filter((v) => v.sensitive)) {
      if (fromConfigMaps.has(variable.name))
        problems.push(`${at}: sensitive ${variable.name} is in a ConfigMap`);
      const entry = env.get(variable.name);
      if (entry === undefined || fromSecret.has(variable.name)) continue;
      const references = [...text(entry['value']).matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1] ?? '');
      if (!references.some((reference) => fromSecret.has(reference))) {
        problems.push(`${at}: sensitive ${variable.name} does not come from the Secret`);
      }
    }
  }
  return problems;
}

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/;
const MEMORY_FACTORS: Record<string, number> = { '': 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024 };

/** Sum of the pods' requests (per replica as rendered, HPA minimum 1) in millicores and MiB. */
export function totalRequests(objects: KubeObject[]): { cpuMillis: number; memoryMi: number } {
  let cpuMillis = 0;
  let memoryMi = 0;
  for (const workload of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const replicas = Number(record(workload['spec'])['replicas'] ?? 1);
    for (const container of list(podSpec(workload)['containers'])) {
      const requests = record(record(container['resources'])['requests']);
      const cpu = CPU.exec(String(requests['cpu'] ?? '0'));
      const memory = MEMORY.exec(String(requests['memory'] ?? '0'));
      if (cpu?.[1] !== undefined) cpuMillis += replicas * Number(cpu[1]) * (cpu[2] === 'm' ? 1 : 1000);
      if (memory?.[1] !== undefined)
        memoryMi += replicas * Number(memory[1]) * (MEMORY_FACTORS[memory[2] ?? ''] ?? 1);
    }
  }
  return { cpuMillis, memoryMi };
}

/** The values file's comment "total requests: cpu 1020m, memory 1984Mi" must be the truth. */
export function checkStatedFootprint(objects: KubeObject[], valuesText: string): string[] {
  const stated = /total requests: cpu (\d+)m, memory (\d+)Mi/.exec(valuesText);
  if (stated === null) return ['values-minikube.yaml: no "total requests: cpu <n>m, memory <n>Mi" comment'];
  const { cpuMillis, memoryMi } = totalRequests(objects);
  const problems: string[] = [];
  if (Number(stated[1]) !== cpuMillis)
    problems.push(`values-minikube.yaml states cpu ${stated[1]}m, the pods request ${cpuMillis}m`);
  if (Number(stated[2]) !== memoryMi)
    problems.push(`values-minikube.yaml states memory ${stated[2]}Mi, the pods request ${memoryMi}Mi`);
  // minikube --cpus 4 --memory 8g, less Linkerd, viz and Grafana (about 0.5 CPU and 1.5 GiB).
  if (cpuMillis > 3000 || memoryMi > 6 * 1024)
    problems.push(`requests ${cpuMillis}m / ${memoryMi}Mi do not fit minikube 4 CPUs / 8 GiB`);
  return problems;
}

export const isDeployable = (name: string): name is Deployable => DEPLOYABLES.some((d) => d === name);
