import { Buffer } from 'node:buffer';
import { trace } from '@opentelemetry/api';
import type { TextMapGetter } from '@opentelemetry/api';

/** AMQP headers as this module reads them: the broker may hand strings back as Buffers. */
export type AmqpHeaders = Record<string, unknown>;

export const headerGetter: TextMapGetter<AmqpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return undefined;
  },
};

// A proxy tracer: spans become real once the service registers an SDK, whenever it does so.
export const tracer = trace.getTracer('@marketshare/platform/rabbit');
