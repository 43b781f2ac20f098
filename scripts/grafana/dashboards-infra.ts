/** Dashboards over third-party exporters: HAProxy, RabbitMQ and the Linkerd proxies. */
import { dashboard, q, quantiles, ratio } from './lib.js';
import type { Dashboard } from './lib.js';

const NS = 'namespace=~"$namespace"';
const R = '[$__rate_interval]';

/** HAProxy's built-in exporter (2.6); backends are named after the services. */
export const gateway = (): Dashboard => {
  const front = `${NS}, proxy="public"`;
  const back = `${NS}, proxy=~"$service"`;
  return dashboard({
    uid: 'marketshare-gateway',
    title: 'Marketshare / Gateway (HAProxy)',
    description: 'The public HAProxy frontend and its backends, from HAProxy\'s Prometheus exporter.',
    tags: ['gateway'],
    variables: {
      namespaces: 'label_values(up, namespace)',
      services: `label_values(haproxy_backend_active_servers{${NS}}, proxy)`,
      serviceLabel: 'Backend',
    },
    panels: [
      { type: 'stat', title: 'Gateway requests per second', unit: 'reqps', description: 'HTTP requests the public frontend receives.', queries: [q(`sum(rate(haproxy_frontend_http_requests_total{${front}}${R}))`, 'rps')] },
      { type: 'stat', title: 'Gateway 5xx ratio', unit: 'percentunit', description: 'Share of the public frontend\'s responses with a 5xx status (its own and the backends\').', queries: [q(ratio(`rate(haproxy_frontend_http_responses_total{${front}, code="5xx"}${R})`, `rate(haproxy_frontend_http_responses_total{${front}}${R})`, 'proxy'), '5xx')] },
      { type: 'stat', title: 'Current sessions', unit: 'short', description: 'Client sessions open on the public frontend now.', queries: [q(`sum(haproxy_frontend_current_sessions{${front}})`, 'sessions')] },
      { type: 'stat', title: 'Backends without a server', unit: 'short', description: 'Backends whose every server fails its health check: their routes answer 503.', queries: [q(`count(haproxy_backend_active_servers{${back}} == 0) or vector(0)`, 'down')] },
      { title: 'Frontend responses by status class', unit: 'reqps', description: 'Responses of the public frontend per second, by status class.', queries: [q(`sum by (code) (rate(haproxy_frontend_http_responses_total{${front}}${R}))`, '{{code}}')] },
      { title: 'Backend responses by status class', unit: 'reqps', description: 'Responses per second of each backend, by status class.', queries: [q(`sum by (proxy, code) (rate(haproxy_backend_http_responses_total{${back}}${R}))`, '{{proxy}} {{code}}')] },
      { title: 'Backend average response time', unit: 's', description: 'HAProxy\'s average response time of each backend over its last 1024 requests.', queries: [q(`max by (proxy) (haproxy_backend_response_time_average_seconds{${back}})`, '{{proxy}}')] },
      { title: 'Backend active servers', unit: 'short', description: 'Servers of each backend that pass their health check.', queries: [q(`sum by (proxy) (haproxy_backend_active_servers{${back}})`, '{{proxy}}')] },
      { title: 'Backend connection errors', unit: 'ops', description: 'Failed connections from HAProxy to each backend per second.', queries: [q(`sum by (proxy) (rate(haproxy_backend_connection_errors_total{${back}}${R}))`, '{{proxy}}')] },
      { title: 'Gateway traffic', unit: 'Bps', description: 'Bytes per second received from and sent to clients by the public frontend.', queries: [q(`sum(rate(haproxy_frontend_bytes_in_total{${front}}${R}))`, 'in'), q(`sum(rate(haproxy_frontend_bytes_out_total{${front}}${R}))`, 'out')] },
    ],
  });
};

/** rabbitmq_prometheus' aggregated /metrics (per-queue labels only with per-object metrics). */
export const rabbitmq = (): Dashboard => {
  const queue = `${NS}, queue=~"$service"`;
  const dead = ['rejected', 'delivery_limit', 'expired', 'maxlen'];
  return dashboard({
    uid: 'marketshare-rabbitmq',
    title: 'Marketshare / RabbitMQ',
    description: 'The broker: queue depths, message rates, dead-lettering, consumers and memory.',
    tags: ['rabbitmq'],
    variables: {
      namespaces: 'label_values(up, namespace)',
      services: `label_values(rabbitmq_queue_messages_ready{${NS}}, queue)`,
      serviceLabel: 'Queue',
    },
    panels: [
      { title: 'Messages ready', unit: 'short', description: 'Messages waiting in queues for a consumer.', queries: [q(`sum by (queue) (rabbitmq_queue_messages_ready{${queue}})`, '{{queue}}')] },
      { title: 'Messages unacknowledged', unit: 'short', description: 'Messages delivered to consumers and not yet acknowledged.', queries: [q(`sum by (queue) (rabbitmq_queue_messages_unacked{${queue}})`, '{{queue}}')] },
      { title: 'Message rates', unit: 'ops', description: 'Messages published to, routed by, delivered and acknowledged by the broker per second.', queries: [
        q(`sum(rate(rabbitmq_global_messages_received_total{${NS}}${R}))`, 'published'),
        q(`sum(rate(rabbitmq_global_messages_routed_total{${NS}}${R}))`, 'routed'),
        q(`sum(rate(rabbitmq_global_messages_delivered_total{${NS}}${R}))`, 'delivered'),
        q(`sum(rate(rabbitmq_global_messages_acknowledged_total{${NS}}${R}))`, 'acknowledged'),
      ] },
      { title: 'Dead-lettered and unroutable', unit: 'ops', description: 'Messages dead-lettered by reason, and messages no queue was bound for.', queries: [
        ...dead.map((reason) => q(`sum(rate(rabbitmq_global_messages_dead_lettered_${reason}_total{${NS}}${R}))`, `dead-lettered ${reason}`)),
        q(`sum(rate(rabbitmq_global_messages_unroutable_returned_total{${NS}}${R}))`, 'unroutable returned'),
        q(`sum(rate(rabbitmq_global_messages_unroutable_dropped_total{${NS}}${R}))`, 'unroutable dropped'),
      ] },
      { title: 'Redeliveries', unit: 'ops', description: 'Messages delivered again after a consumer died or requeued them.', queries: [q(`sum(rate(rabbitmq_global_messages_redelivered_total{${NS}}${R}))`, 'redelivered')] },
      { title: 'Connections, channels and consumers', unit: 'short', description: 'Client connections, channels and queue consumers open now.', queries: [
        q(`sum(rabbitmq_connections{${NS}})`, 'connections'),
        q(`sum(rabbitmq_channels{${NS}})`, 'channels'),
        q(`sum(rabbitmq_consumers{${NS}})`, 'consumers'),
      ] },
      { title: 'Broker memory', unit: 'bytes', description: 'Resident memory of the broker against its high watermark (publishers block above it).', queries: [
        q(`sum(rabbitmq_process_resident_memory_bytes{${NS}})`, 'resident'),
        q(`sum(rabbitmq_resident_memory_limit_bytes{${NS}})`, 'watermark'),
      ] },
      { title: 'Queues', unit: 'short', description: 'Queues declared on the broker.', queries: [q(`sum(rabbitmq_queues{${NS}})`, 'queues')] },
    ],
  });
};

/** Metric and label names the Linkerd proxy exports; the tests allow only these here. */
export const LINKERD_METRICS = ['request_total', 'response_total', 'response_latency_ms_bucket'];
export const LINKERD_LABELS = ['deployment', 'dst_deployment', 'classification', 'direction', 'namespace', 'dst_namespace', 'status_code', 'le'];

export const linkerd = (): Dashboard => {
  const out = `direction="outbound", ${NS}, deployment=~"$service"`;
  const inbound = `direction="inbound", ${NS}, deployment=~"$service"`;
  const edge = 'deployment, dst_deployment';
  return dashboard({
    uid: 'marketshare-linkerd',
    title: 'Marketshare / Linkerd mesh',
    description: 'Per-edge success rate, request rate and latency measured by the Linkerd proxies (cluster only).',
    tags: ['linkerd'],
    variables: {
      namespaces: 'label_values(request_total, namespace)',
      services: `label_values(request_total{${NS}}, deployment)`,
      serviceLabel: 'Deployment',
    },
    panels: [
      { title: 'Success rate by edge', unit: 'percentunit', max: 1, description: 'Share of responses the calling proxy classified as success, per source and destination deployment.', queries: [q(`sum by (${edge}) (rate(response_total{${out}, classification="success"}${R})) / sum by (${edge}) (rate(response_total{${out}}${R}))`, '{{deployment}} → {{dst_deployment}}')] },
      { title: 'Requests per second by edge', unit: 'reqps', description: 'Requests each deployment sends to each destination deployment.', queries: [q(`sum by (${edge}) (rate(request_total{${out}}${R}))`, '{{deployment}} → {{dst_deployment}}')] },
      { title: 'Latency by edge', unit: 'ms', description: 'p50, p95 and p99 of the response latency seen by the calling proxy, per edge.', queries: quantiles(`response_latency_ms_bucket{${out}}`, edge, '{{deployment}} → {{dst_deployment}}') },
      { title: 'Failures by edge and status', unit: 'reqps', description: 'Responses classified as failure, per edge and HTTP status.', queries: [q(`sum by (${edge}, status_code) (rate(response_total{${out}, classification="failure"}${R}))`, '{{deployment}} → {{dst_deployment}} {{status_code}}')] },
      { title: 'Inbound success rate', unit: 'percentunit', max: 1, description: 'Share of successful responses each deployment\'s own proxy served.', queries: [q(`sum by (deployment) (rate(response_total{${inbound}, classification="success"}${R})) / sum by (deployment) (rate(response_total{${inbound}}${R}))`, '{{deployment}}')] },
      { title: 'Inbound latency p95', unit: 'ms', description: 'p95 of the response latency each deployment\'s own proxy measured.', queries: [q(`histogram_quantile(0.95, sum by (deployment, le) (rate(response_latency_ms_bucket{${inbound}}${R})))`, '{{deployment}}')] },
    ],
  });
};
