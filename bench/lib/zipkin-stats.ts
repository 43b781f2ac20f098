/**
 * What the stack's Zipkin received, from its own counters and API (127.0.0.1 only): proof that
 * tracing was really on during a run, and how many spans a request cost.
 */

export interface ZipkinSpan {
  name: string;
  kind: string;
  service: string;
}

function originOf(zipkinUrl: string): string {
  const url = new URL(zipkinUrl);
  if (url.hostname !== '127.0.0.1') throw new Error('Zipkin is only ever read at 127.0.0.1');
  return url.origin;
}

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return response.text();
}

/**
 * Spans Zipkin's HTTP collector has accepted since it started (`zipkin_collector_spans_total`).
 * Its in-memory store drops the oldest traces beyond MEM_MAX_SPANS, so counting stored spans
 * would undercount a long run; this counter does not.
 */
export async function zipkinSpansReceived(zipkinUrl: string): Promise<number> {
  const text = await getText(`${originOf(zipkinUrl)}/prometheus`);
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith('zipkin_collector_spans_total{transport="http"'));
  const value = Number(line?.split(' ').pop());
  if (!Number.isFinite(value)) throw new Error('Zipkin reports no zipkin_collector_spans_total');
  return value;
}

/** The services Zipkin has spans from. */
export async function zipkinServices(zipkinUrl: string): Promise<string[]> {
  const body: unknown = JSON.parse(await getText(`${originOf(zipkinUrl)}/api/v2/services`));
  return Array.isArray(body) ? body.filter((name): name is string => typeof name === 'string') : [];
}

const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The spans of the newest stored trace of `service` with a span whose name contains `spanName`
 * (Zipkin lower-cases span names; compared without case), or null when there is none.
 */
export async function zipkinSampleTrace(
  zipkinUrl: string,
  service: string,
  spanName: string,
): Promise<ZipkinSpan[] | null> {
  const query = new URLSearchParams({ serviceName: service, limit: '20' });
  const body: unknown = JSON.parse(await getText(`${originOf(zipkinUrl)}/api/v2/traces?${query}`));
  const traces = (Array.isArray(body) ? body : []).map((trace: unknown) =>
    (Array.isArray(trace) ? trace : []).map((span: unknown): ZipkinSpan => {
      const field = (name: string): unknown =>
        typeof span === 'object' && span !== null ? Reflect.get(span, name) : undefined;
      const endpoint = field('localEndpoint');
      const endpointService =
        typeof endpoint === 'object' && endpoint !== null ? Reflect.get(endpoint, 'serviceName') : '';
      return {
        name: stringOf(field('name')),
        kind: stringOf(field('kind')) || 'INTERNAL',
        service: stringOf(endpointService),
      };
    }),
  );
  const wanted = spanName.toLowerCase();
  return traces.find((spans) => spans.some((span) => span.name.toLowerCase().includes(wanted))) ?? null;
}
