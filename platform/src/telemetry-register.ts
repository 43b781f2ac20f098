// Preloaded with `node --import @marketshare/platform/telemetry-register` by the stack (and
// imported first by each service's main.ts, for other ways of starting it), so
// instrumentation hooks exist before Koa, mysql2, pg, mongoose or amqplib are loaded.
import { register } from 'node:module';
import { startTelemetry } from './telemetry.js';

// Koa and mongoose reach the services as ES modules (koa's dist/koa.mjs; mongoose imported from
// ESM), which require() hooks never see: import-in-the-middle's loader hook lets their
// instrumentations patch them. Only these are intercepted, so every other import stays native.
// A hook registered here covers what is imported after this module runs: hence the preload.
if (process.env['OTEL_SDK_DISABLED'] !== 'true') {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['koa', 'mongoose'] },
  });
}

startTelemetry(process.env['OTEL_SERVICE_NAME'] ?? 'marketshare');
