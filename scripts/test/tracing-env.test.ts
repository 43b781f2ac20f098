/**
 * Where spans go: the stack's OTEL_* contract (Zipkin unless an OTLP endpoint is given) and
 * how a service's SDK reads it (platform/src/telemetry.ts).
 */
import assert from 'node:assert/strict';
import { tracesExportersFromEnv } from '@marketshare/platform/telemetry';
import { PORT_DEFAULTS } from '../stack/types.js';
import type { StackContext } from '../stack/types.js';
import { tracingEnv } from '../stack/services.js';

function contextWith(env: NodeJS.ProcessEnv): StackContext {
  return {
    repoRoot: '/repo',
    env,
    stateDir: '/state',
    ports: { ...PORT_DEFAULTS, ZIPKIN_PORT: 19411 },
    secrets: {},
    dbPrefix: '',
    vhost: null,
    rabbitmqUrl: 'amqp://127.0.0.1',
    mongoUrl: 'mongodb://127.0.0.1/orders',
    externalMongo: false,
    gatewayUrl: 'http://127.0.0.1:8080',
  };
}

describe('tracing environment', () => {
  it("sends the services' spans to the stack's Zipkin by default, in 1 s batches", () => {
    assert.deepEqual(tracingEnv(contextWith({})), {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:19411/api/v2/spans',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    });
  });

  it('uses OTLP when an OTLP endpoint is given, and keeps an explicit choice', () => {
    const otlp = tracingEnv(contextWith({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' }));
    assert.equal(otlp['OTEL_TRACES_EXPORTER'], 'otlp');
    assert.equal(otlp['OTEL_EXPORTER_OTLP_ENDPOINT'], 'http://tempo:4318');
    assert.equal(otlp['OTEL_EXPORTER_ZIPKIN_ENDPOINT'], undefined);
    assert.equal(tracingEnv(contextWith({ OTEL_TRACES_EXPORTER: 'none' }))['OTEL_TRACES_EXPORTER'], 'none');
  });

  it('exports from a service only when the environment names a backend', () => {
    assert.deepEqual(tracesExportersFromEnv({}), []);
    assert.deepEqual(tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: '' }), []);
    assert.deepEqual(tracesExportersFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }), ['otlp']);
    assert.deepEqual(tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin, console,zipkin' }), [
      'zipkin',
      'console',
    ]);
    assert.deepEqual(
      tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }),
      [],
    );
  });
});
