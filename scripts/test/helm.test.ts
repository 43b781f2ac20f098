/**
 * The Helm chart (helm/marketshare): lint, rendering with the default and the minikube values,
 * the values schema, Kubernetes and Linkerd schemas, hardening, images, environment and the
 * stated footprint. Every check is also fed a broken copy and must fail, naming the problem.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CHART_DIR,
  MINIKUBE_VALUES,
  helmLint,
  helmTemplate,
  parseManifests,
  type KubeObject,
} from '../cluster/helm.js';
import { validateKubernetesObjects } from '../cluster/k8s-schema.js';
import { checkLinkerdSchemas } from '../cluster/policy-checks.js';
import {
  checkEnvironment,
  checkImages,
  checkStatedFootprint,
  checkWorkloads,
} from '../cluster/workload-checks.js';

type Json = Record<string, unknown>;
const copy = (objects: KubeObject[]): KubeObject[] => structuredClone(objects);
const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} rendered`);
  return found;
};
/** The first container of a workload, for editing in a broken copy. */
function firstContainer(workload: KubeObject): Json {
  const spec: Json = { ...(workload['spec'] ?? {}) };
  const template: Json = { ...(spec['template'] ?? {}) };
  const pod: Json = { ...(template['spec'] ?? {}) };
  const containers: unknown = pod['containers'];
  assert.ok(Array.isArray(containers) && typeof containers[0] === 'object' && containers[0] !== null);
  return containers[0];
}

/** A scratch copy of the chart (links to gateway/ and the dashboards resolved). */
function chartCopy(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'chart-')), 'marketshare');
  cpSync(CHART_DIR, dir, { recursive: true, dereference: true });
  return dir;
}

describe('helm chart', function () {
  this.timeout(60_000);
  let minikube: KubeObject[];
  let defaults: KubeObject[];

  before(function () {
    minikube = parseManifests(helmTemplate(CHART_DIR, [MINIKUBE_VALUES]));
    defaults = parseManifests(helmTemplate());
  });

  it('passes helm lint --strict, with the default and the minikube values', function () {
    for (const values of [[], [MINIKUBE_VALUES]]) {
      const result = helmLint(CHART_DIR, values);
      assert.ok(result.ok, result.output);
    }
  });

  it('fails helm lint --strict on a template that does not parse', function () {
    const dir = chartCopy();
    writeFileSync(path.join(dir, 'templates/broken.yaml'), '{{ if .Values.publicUrl }}\nkind: x\n');
    const result = helmLint(dir);
    assert.equal(result.ok, false);
    assert.match(result.output, /broken\.yaml/);
  });

  it('renders both value sets; only the default one makes the Secret', function () {
    assert.ok(defaults.some((o) => o.kind === 'Secret'));
    assert.ok(!minikube.some((o) => o.kind === 'Secret'), 'the minikube Secret comes from kustomize');
    const kinds = new Set(minikube.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'ConfigMap',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'StatefulSet',
      'Server',
      'AuthorizationPolicy',
      'MeshTLSAuthentication',
    ]) {
      assert.ok(kinds.has(kind), `renders a ${kind}`);
    }
  });

  it('values.schema.json rejects an unknown key and a wrong type', function () {
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'deployables.ms-auth.prot=4001']),
      /Additional property prot is not allowed/,
    );
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'gateway.service.type=Ingress']),
      /gateway\.service\.type/,
    );
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'gateway.image=haproxy:latest']),
      /gateway\.image/,
    );
  });

  it('every object matches the Kubernetes OpenAPI schemas, unknown fields rejected', async function () {
    for (const objects of [minikube, defaults]) {
      const { problems, unknownKinds } = await validateKubernetesObjects(objects);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        [...new Set(unknownKinds.map((o) => o.apiVersion))],
        ['policy.linkerd.io/v1alpha1', 'policy.linkerd.io/v1beta3'].filter((v) =>
          unknownKinds.some((o) => o.apiVersion === v),
        ),
      );
    }
  });

  it('the Kubernetes schema check fails on an unknown field and a wrong type', async function () {
    const broken = copy(minikube);
    const container = firstContainer(find(broken, 'Deployment', 'ms-auth'));
    container['livenessprobe'] = container['livenessProbe'];
    find(broken, 'Service', 'ms-users')['spec'] = {
      ...(find(broken, 'Service', 'ms-users')['spec'] ?? {}),
      type: 7,
    };
    const { problems } = await validateKubernetesObjects(broken);
    assert.ok(
      problems.some(
        (p) =>
          p.object === 'Deployment/ms-auth' &&
          p.problem.includes('unknown field spec.template.spec.containers[0].livenessprobe'),
      ),
      JSON.stringify(problems),
    );
    assert.ok(
      problems.some((p) => p.object === 'Service/ms-users' && /type/.test(p.problem)),
      JSON.stringify(problems),
    );
  });

  it('Linkerd policy objects match the schemas from Linkerd CRDs; a misspelt field fails', function () {
    assert.deepEqual(checkLinkerdSchemas(minikube), []);
    const broken = copy(minikube);
    const server = find(broken, 'Server', 'ms-orders');
    server['spec'] = { ...(server['spec'] ?? {}), proxyprotocol: 'HTTP/1' };
    const policy = find(broken, 'AuthorizationPolicy', 'ms-orders-callers');
    policy['spec'] = { targetRef: { kind: 'HTTPRoute', name: 'ms-orders-api' } };
    const problems = checkLinkerdSchemas(broken);
    assert.ok(problems.includes('Server/ms-orders: spec.proxyprotocol: unknown field'), problems.join('\n'));
    assert.ok(
      problems.includes(
        'AuthorizationPolicy/ms-orders-callers: spec: missing required field requiredAuthenticationRefs',
      ),
      problems.join('\n'),
    );
  });

  it('every workload is hardened, probed, bounded and has its own ServiceAccount', function () {
    assert.deepEqual(checkWorkloads(minikube), []);
    assert.deepEqual(checkWorkloads(defaults), []);
  });

  it('the workload check fails on a missing probe, limit, hardening or ServiceAccount', function () {
    const broken = copy(minikube);
    const orders = firstContainer(find(broken, 'Deployment', 'ms-orders'));
    delete orders['readinessProbe'];
    orders['resources'] = { requests: { cpu: '100m', memory: '128Mi' } };
    orders['securityContext'] = { ...(orders['securityContext'] ?? {}), readOnlyRootFilesystem: false };
    const email = find(broken, 'Deployment', 'ms-email');
    email['spec'] = structuredClone(find(broken, 'Deployment', 'ms-users')['spec']);
    const problems = checkWorkloads(broken);
    for (const expected of [
      'Deployment/ms-orders container ms-orders: no readinessProbe',
      'Deployment/ms-orders container ms-orders: no limits.cpu',
      'Deployment/ms-orders container ms-orders: readOnlyRootFilesystem is not true',
      'ServiceAccount ms-users is shared by Deployment/ms-email, Deployment/ms-users',
    ]) {
      assert.ok(problems.includes(expected), `${expected}\nin:\n${problems.join('\n')}`);
    }
  });

  it('every image is ours (images.ts, with its Dockerfile) or a pinned public one', function () {
    assert.deepEqual(checkImages(minikube), []);
    const broken = copy(minikube);
    firstContainer(find(broken, 'Deployment', 'ms-auth'))['image'] = 'marketshare/ms-auth:latest';
    firstContainer(find(broken, 'StatefulSet', 'mongodb'))['image'] = 'mongo';
    const problems = checkImages(broken);
    assert.ok(
      problems.some((p) =>
        p.startsWith(
          'Deployment/ms-auth image marketshare/ms-auth:latest: not an image scripts/cluster/images.ts builds',
        ),
      ),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('StatefulSet/mongodb image mongo: a public image must be pinned to a version tag'),
      problems.join('\n'),
    );
    assert.ok(
      checkImages(minikube, mkdtempSync(path.join(tmpdir(), 'no-dockerfiles-'))).some((p) =>
        p.endsWith('ms-auth/Dockerfile does not exist'),
      ),
    );
  });

  it("sets every variable a service's config schema requires, sensitive ones from the Secret", function () {
    assert.deepEqual(checkEnvironment(minikube), []);
    assert.deepEqual(checkEnvironment(defaults), []);
  });

  it('the environment check fails on a missing variable and a secret in a ConfigMap', function () {
    const broken = copy(minikube);
    const orders = firstContainer(find(broken, 'Deployment', 'ms-orders'));
    const env: unknown = orders['env'];
    assert.ok(Array.isArray(env));
    orders['env'] = env.filter((variable: Json) => variable['name'] !== 'MONGO_URL');
    const frontendConfig = find(broken, 'ConfigMap', 'frontend-config');
    frontendConfig['data'] = {
      ...(frontendConfig['data'] ?? {}),
      SESSION_SECRET: 'in-plain-sight-0123456789abcdef0123',
    };
    const problems = checkEnvironment(broken);
    assert.ok(
      problems.includes(
        "Deployment/ms-orders: required variable MONGO_URL (ms-orders's config schema) is not set",
      ),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('Deployment/frontend: sensitive SESSION_SECRET is in a ConfigMap'),
      problems.join('\n'),
    );
  });

  it('values-minikube.yaml states the true total of requests, and it fits minikube', function () {
    const stated = readFileSync(MINIKUBE_VALUES, 'utf8');
    assert.deepEqual(checkStatedFootprint(minikube, stated), []);
    const problems = checkStatedFootprint(minikube, stated.replace(/cpu \d+m/, 'cpu 900m'));
    assert.match(problems.join('\n'), /states cpu 900m, the pods request \d+m/);
  });
});
