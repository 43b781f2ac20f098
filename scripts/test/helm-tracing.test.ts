/**
 * The chart's trace backend: Jaeger all-in-one when tracing.jaeger.enabled, every deployable
 * exporting to its OTLP/HTTP port with the standard OTEL_* variables, an external receiver
 * instead when it is switched off, and the Linkerd edges (deployables -> jaeger, Grafana ->
 * jaeger-query) read from that data. Each check is fed a broken copy too.
 */
import assert from 'node:assert/strict';
import {
  CHART_DIR,
  MINIKUBE_VALUES,
  helmTemplate,
  parseManifests,
  type KubeObject,
} from '../cluster/helm.js';
import { checkCallGraph, expectedCallGraph, mergeCallGraphs } from '../cluster/policy-checks.js';
import { checkTracingEnvironment, readGrafanaValues, traceEdges } from '../cluster/trace-checks.js';
import { DEPLOYABLES } from '../cluster/service-config.js';

const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} rendered`);
  return found;
};
const configData = (objects: KubeObject[], deployable: string): Record<string, unknown> => {
  const data = find(objects, 'ConfigMap', `${deployable}-config`)['data'];
  assert.ok(typeof data === 'object' && data !== null && !Array.isArray(data));
  return { ...data };
};
const sorted = (values: Iterable<string> | undefined): string[] => [...(values ?? [])].sort();

describe('helm chart: the trace backend', function () {
  this.timeout(60_000);
  let minikube: KubeObject[];
  let external: KubeObject[];

  before(function () {
    minikube = parseManifests(helmTemplate(CHART_DIR, [MINIKUBE_VALUES]));
    external = parseManifests(
      helmTemplate(
        CHART_DIR,
        [MINIKUBE_VALUES],
        [
          '--set',
          'tracing.jaeger.enabled=false',
          '--set',
          'tracing.otlpEndpoint=http://tempo.observability:4318',
        ],
      ),
    );
  });

  it('runs Jaeger all-in-one with a bounded in-memory store, and every deployable exports to it', function () {
    const jaeger = find(minikube, 'Deployment', 'jaeger');
    const text = JSON.stringify(jaeger);
    assert.match(text, /"image":"jaegertracing\/all-in-one:1\.62\.0"/);
    assert.match(text, /"name":"SPAN_STORAGE_TYPE","value":"memory"/);
    assert.match(text, /"name":"MEMORY_MAX_TRACES","value":"5000"/);
    assert.match(JSON.stringify(find(minikube, 'Service', 'jaeger')), /"port":4318.*"port":16686/);
    for (const deployable of DEPLOYABLES) {
      const data = configData(minikube, deployable);
      assert.equal(data['OTEL_TRACES_EXPORTER'], 'otlp', deployable);
      assert.equal(data['OTEL_EXPORTER_OTLP_ENDPOINT'], 'http://jaeger:4318', deployable);
      assert.equal(data['OTEL_SERVICE_NAME'], deployable);
    }
    assert.deepEqual(checkTracingEnvironment(minikube), []);
    assert.deepEqual(checkTracingEnvironment(parseManifests(helmTemplate())), []);
  });

  it('the trace edges come from the OTLP endpoints and the Grafana datasource', function () {
    const edges = traceEdges(minikube);
    assert.deepEqual(sorted(edges.get('jaeger')), sorted(DEPLOYABLES));
    assert.deepEqual(sorted(edges.get('jaeger-query')), ['grafana/grafana']);
    assert.deepEqual(sorted(edges.keys()), ['jaeger', 'jaeger-query']);
  });

  it('switched off, it exports to the external receiver, and no Jaeger or its policies remain', function () {
    assert.ok(!external.some((o) => o.metadata.name.startsWith('jaeger')));
    assert.equal(
      configData(external, 'ms-orders')['OTEL_EXPORTER_OTLP_ENDPOINT'],
      'http://tempo.observability:4318',
    );
    assert.deepEqual(checkTracingEnvironment(external), []);
    assert.equal(traceEdges(external).size, 0, 'an endpoint outside the chart adds no mesh edge');
    assert.deepEqual(checkCallGraph(external), []);
    const none = parseManifests(helmTemplate(CHART_DIR, [], ['--set', 'tracing.jaeger.enabled=false']));
    assert.equal(configData(none, 'frontend')['OTEL_TRACES_EXPORTER'], 'none');
    assert.equal(configData(none, 'frontend')['OTEL_EXPORTER_OTLP_ENDPOINT'], undefined);
  });

  it('refuses Jaeger and an external endpoint at once, and unknown or unpinned Jaeger values', function () {
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'tracing.otlpEndpoint=http://tempo:4318']),
      /tracing\.otlpEndpoint is set and tracing\.jaeger\.enabled is true/,
    );
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'tracing.jaeger.maxtraces=10']),
      /Additional property maxtraces is not allowed/,
    );
    assert.throws(
      () => helmTemplate(CHART_DIR, [], ['--set', 'tracing.jaeger.image=jaegertracing/all-in-one:latest']),
      /tracing\.jaeger\.image/,
    );
    assert.throws(() => helmTemplate(CHART_DIR, [], ['--set', 'mesh.grafana.namespaces=x']), /namespaces/);
  });

  it('the tracing check fails on a deployable that does not export to Jaeger, or to its query port', function () {
    const broken = structuredClone(minikube);
    const orders = find(broken, 'ConfigMap', 'ms-orders-config');
    orders['data'] = { ...configData(broken, 'ms-orders'), OTEL_TRACES_EXPORTER: 'none' };
    const frontend = find(broken, 'ConfigMap', 'frontend-config');
    frontend['data'] = {
      ...configData(broken, 'frontend'),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:16686',
      OTEL_SERVICE_NAME: 'site',
    };
    const problems = checkTracingEnvironment(broken);
    for (const expected of [
      'ConfigMap/ms-orders-config: Jaeger runs in the cluster but spans go to nowhere, not its otlp-http port',
      'ConfigMap/frontend-config: Jaeger runs in the cluster but spans go to http://jaeger:16686, not its otlp-http port',
      'ConfigMap/frontend-config: OTEL_SERVICE_NAME is site, not frontend',
    ]) {
      assert.ok(problems.includes(expected), `${expected}\nin:\n${problems.join('\n')}`);
    }
  });

  it('the call-graph check fails on an unauthorized or missing trace caller', function () {
    const broken = structuredClone(minikube);
    find(broken, 'MeshTLSAuthentication', 'jaeger-query-callers')['spec'] = {
      identityRefs: [
        { kind: 'ServiceAccount', name: 'grafana', namespace: 'grafana' },
        { kind: 'ServiceAccount', name: 'ms-email' },
      ],
    };
    find(broken, 'MeshTLSAuthentication', 'jaeger-callers')['spec'] = {
      identityRefs: DEPLOYABLES.filter((d) => d !== 'frontend').map((name) => ({
        kind: 'ServiceAccount',
        name,
      })),
    };
    const problems = checkCallGraph(broken);
    assert.ok(
      problems.includes('ms-email is allowed to call jaeger-query but nothing in the code calls it'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('frontend calls jaeger (its configuration says so) but no policy allows it'),
      problems.join('\n'),
    );
    // Grafana's trace datasource pointed elsewhere: its allowance on jaeger-query is then unused.
    const values: unknown = JSON.parse(
      JSON.stringify(readGrafanaValues()).replace(
        'jaeger.marketshare.svc.cluster.local',
        'tempo.observability',
      ),
    );
    const elsewhere = checkCallGraph(
      minikube,
      mergeCallGraphs(expectedCallGraph(), traceEdges(minikube, values)),
    );
    assert.ok(
      elsewhere.includes(
        'grafana/grafana is allowed to call jaeger-query, which the call graph does not know',
      ),
      elsewhere.join('\n'),
    );
  });
});
