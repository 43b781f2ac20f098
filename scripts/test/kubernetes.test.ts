/**
 * kubernetes/: the rendered manifests equal the chart's output, kustomize builds them with the
 * Secret, the Linkerd policies allow exactly the call graph from the code, every Service port
 * is covered, and the gateway and Prometheus configs pass their own tools with the cluster's
 * values. Each check is fed a broken copy too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, parseManifests, type KubeObject } from '../cluster/helm.js';
import { checkCallGraph, checkServerCoverage, expectedCallGraph } from '../cluster/policy-checks.js';
import { RENDERED_FILE, renderMinikube } from '../cluster/render.js';
import { secretsEnv } from '../cluster/secrets-env.js';
import {
  driftBetween,
  gatewayEnvironment,
  haproxyCheck,
  promtoolCheckVizValues,
} from '../cluster/tool-checks.js';

const KUBERNETES_DIR = path.join(REPO_ROOT, 'kubernetes');
const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} rendered`);
  return found;
};

describe('kubernetes/ manifests', function () {
  this.timeout(60_000);
  let committed: string;
  let objects: KubeObject[];

  before(function () {
    committed = readFileSync(RENDERED_FILE, 'utf8');
    objects = parseManifests(committed);
  });

  it('kubernetes/marketshare.yaml is the chart rendered with the minikube values', function () {
    assert.equal(driftBetween(committed, renderMinikube()), undefined);
  });

  it('the drift check names the first differing line', function () {
    const edited = committed.replace('replicas: 1', 'replicas: 2');
    assert.match(
      driftBetween(edited, committed) ?? '',
      /differs from the chart's output at line \d+:\n {2}committed: +replicas: 2\n {2}rendered: +replicas: 1/,
    );
  });

  it('the gateway ConfigMap carries gateway/haproxy.cfg unchanged', function () {
    const data = find(objects, 'ConfigMap', 'gateway-config')['data'];
    assert.ok(typeof data === 'object' && data !== null);
    const config: unknown = Object.entries(data).find(([key]) => key === 'haproxy.cfg')?.[1];
    // The ConfigMap's block scalar drops the file's final newline (|-).
    assert.equal(
      config,
      readFileSync(path.join(REPO_ROOT, 'gateway/haproxy.cfg'), 'utf8').replace(/\n$/, ''),
    );
  });

  it('kubectl kustomize builds kubernetes/ with the generated Secret wired in', function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'kustomize-'));
    cpSync(KUBERNETES_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, 'secrets.env'), secretsEnv(committed));
    const result = spawnSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    const built = parseManifests(result.stdout);
    const secret = built.find((o) => o.kind === 'Secret');
    assert.ok(secret?.metadata.name.startsWith('marketshare-secrets-'), 'a hashed Secret name');
    assert.ok(
      !result.stdout.includes('name: marketshare-secrets\n'),
      'every reference follows the hashed name',
    );
  });

  it('every port a Service exposes has a Server, and every Server an AuthorizationPolicy', function () {
    assert.deepEqual(checkServerCoverage(objects), []);
    const broken = structuredClone(objects).filter(
      (o) => !(o.kind === 'Server' && o.metadata.name === 'postgres'),
    );
    const withoutPolicy = broken.filter(
      (o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name === 'mongodb-callers'),
    );
    const problems = checkServerCoverage(withoutPolicy);
    assert.ok(
      problems.includes('Service/postgres port postgres: no Linkerd Server for it'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('Server/mongodb: no AuthorizationPolicy targets it or its routes'),
      problems.join('\n'),
    );
  });

  it('the policies allow exactly the callers the code names (config schemas, haproxy.cfg, Prometheus)', function () {
    const graph = expectedCallGraph();
    assert.deepEqual([...(graph.get('ms-products') ?? [])].sort(), ['frontend', 'gateway', 'ms-orders']);
    assert.ok(graph.get('ms-users')?.has('ms-auth'));
    assert.deepEqual(checkCallGraph(objects), []);
  });

  it('the call-graph check fails on an unauthorized caller and on a missing one', function () {
    const broken = structuredClone(objects);
    const callers = find(broken, 'MeshTLSAuthentication', 'ms-products-callers');
    callers['spec'] = {
      identityRefs: [
        { kind: 'ServiceAccount', name: 'ms-email' },
        { kind: 'ServiceAccount', name: 'gateway' },
        { kind: 'ServiceAccount', name: 'frontend' },
      ],
    };
    const problems = checkCallGraph(broken);
    assert.ok(
      problems.includes('ms-orders calls ms-products (its configuration says so) but no policy allows it'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('ms-email is allowed to call ms-products but nothing in the code calls it'),
      problems.join('\n'),
    );
    const metrics = find(broken, 'MeshTLSAuthentication', 'prometheus');
    metrics['spec'] = {
      identityRefs: [{ kind: 'ServiceAccount', name: 'default', namespace: 'monitoring' }],
    };
    assert.ok(
      checkCallGraph(broken).includes("Prometheus (linkerd-viz/prometheus) may not read ms-auth's /metrics"),
    );
  });

  it('haproxy -c accepts gateway/haproxy.cfg with the cluster addresses, and refuses a broken one', function () {
    const env = gatewayEnvironment(objects);
    assert.equal(env['MS_ORDERS_ADDR'], 'ms-orders:4004');
    const result = haproxyCheck(path.join(REPO_ROOT, 'gateway/haproxy.cfg'), env);
    assert.ok(result.ok, result.output);
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-'));
    cpSync(path.join(REPO_ROOT, 'gateway'), dir, { recursive: true });
    const brokenFile = path.join(dir, 'haproxy.cfg');
    writeFileSync(
      brokenFile,
      readFileSync(brokenFile, 'utf8').replace('use_backend ms-users', 'use_backend ms-userz'),
    );
    const broken = haproxyCheck(brokenFile, env);
    assert.equal(broken.ok, false);
    assert.match(broken.output, /ms-userz/);
  });

  it('promtool check config accepts the viz scrape jobs and refuses a broken one', function () {
    const result = promtoolCheckVizValues();
    assert.ok(result.ok, result.output);
    const values: unknown = parse(readFileSync(path.join(KUBERNETES_DIR, 'linkerd-viz-values.yaml'), 'utf8'));
    const text = JSON.stringify(values).replace('"action":"keep"', '"action":"keepp"');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'viz-values-')), 'values.yaml');
    writeFileSync(file, text);
    const broken = promtoolCheckVizValues(file);
    assert.equal(broken.ok, false);
    assert.match(broken.output, /keepp/);
  });

  it("grafana-values.yaml points at viz Prometheus and the chart's Jaeger, reads our dashboards, is let into prometheus-admin", function () {
    const values = JSON.stringify(
      parse(readFileSync(path.join(KUBERNETES_DIR, 'grafana-values.yaml'), 'utf8')),
    );
    assert.match(values, /"url":"http:\/\/prometheus\.linkerd-viz\.svc\.cluster\.local:9090"/);
    assert.match(values, /"label":"grafana_dashboard","labelValue":"1","searchNamespace":"marketshare"/);
    assert.match(values, /"kind":"Server","name":"prometheus-admin"/);
    assert.match(values, /"linkerd.io\/inject":"enabled"/);
    // Exemplar links (trace_id) open the chart's Jaeger through the uid grafana/provisioning uses.
    assert.match(
      values,
      /"exemplarTraceIdDestinations":\[\{"name":"trace_id","datasourceUid":"marketshare-traces"\}\]/,
    );
    assert.match(
      values,
      /"uid":"marketshare-traces","type":"jaeger","access":"proxy","url":"http:\/\/jaeger\.marketshare\.svc\.cluster\.local:16686"/,
    );
  });
});
