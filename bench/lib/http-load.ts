/** HTTP load with autocannon (in-process), keeping every response time for our own percentiles. */
import autocannon from 'autocannon';
import { summarize, type LoadSummary } from './latency.js';

export interface HttpLoadOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 (127.0.0.1 only). */
  url: string;
  connections: number;
  durationSeconds: number;
  /** Each connection sends these in turn, from the first, for the whole run. */
  requests: { path: string; headers?: Record<string, string> }[];
}

export async function runHttpLoad(
  options: HttpLoadOptions,
): Promise<LoadSummary & { statusCodes: Record<string, number> }> {
  if (new URL(options.url).hostname !== '127.0.0.1') throw new Error('load is only ever aimed at 127.0.0.1');
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let failed = 0;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
        requests: options.requests.map((request) => ({
          method: 'GET',
          path: request.path,
          headers: request.headers ?? {},
        })),
      },
      (error, done) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statusCodes[String(statusCode)] = (statusCodes[String(statusCode)] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else failed += 1;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  return { ...summarize(latencies, failed + result.errors, seconds), statusCodes };
}
