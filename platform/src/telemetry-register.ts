// Imported first by each service's main.ts so instrumentation hooks exist before Koa,
// mysql2, pg or amqplib are loaded.
import { startTelemetry } from './telemetry.js';

startTelemetry(process.env['OTEL_SERVICE_NAME'] ?? 'marketshare');
