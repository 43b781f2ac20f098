/** Dashboards over our own services' metrics: overview, service detail, business flow, SLOs. */
import { SVC, dashboard, q, quantiles, ratio } from './lib.js';
import type { Dashboard, VariableSpec } from './lib.js';

const H = 'http_server_request_duration_seconds';
const CLIENT = 'http_client_request_duration_seconds';
const DB = 'db_client_operation_duration_seconds';
const NS = 'namespace=~"$namespace"';
const R = '[$__rate_interval]';
const SERVICES: VariableSpec = {
  namespaces: 'label_values(up, namespace)',
  services: `label_values(${H}_count{${NS}}, service)`,
};
/** Probes of the gateway and the orchestrator, left out of the SLOs. */
const NOT_PROBES = 'route!~"/healthz|/readyz|/metrics"';

const rps = (selector: string) => `rate(${H}_count{${selector}}${R})`;

export const overview = (): Dashboard =>
  dashboard({
    uid: 'marketshare-overview',
    title: 'Marketshare / Overview',
    description: 'Golden signals of every service, and of every edge that has a client histogram.',
    tags: ['overview'],
    variables: SERVICES,
    panels: [
      { type: 'stat', title: 'Requests per second', unit: 'reqps', description: 'All requests the selected services answer.', queries: [q(`sum(${rps(SVC)})`, 'rps')] },
      { type: 'stat', title: '5xx ratio', unit: 'percentunit', description: 'Share of requests answered with a 5xx status.', queries: [q(ratio(rps(`${SVC}, status_code=~"5.."`), rps(SVC), 'namespace'), '5xx')] },
      { type: 'stat', title: '4xx ratio', unit: 'percentunit', description: 'Share of requests refused with a 4xx status (bad input, auth, out of stock).', queries: [q(ratio(rps(`${SVC}, status_code=~"4.."`), rps(SVC), 'namespace'), '4xx')] },
      { type: 'stat', title: 'Targets up', unit: 'short', description: 'Scrape targets of the selected services that answered the last scrape.', queries: [q(`sum(up{${SVC}})`, 'up')] },
      { title: 'Requests per second by service', unit: 'reqps', description: 'Rate of requests each service answers, from the server histogram.', queries: [q(`sum by (service) (${rps(SVC)})`, '{{service}}')] },
      { title: '5xx ratio by service', unit: 'percentunit', description: 'Share of each service\'s requests answered with a 5xx status.', min: 0, queries: [q(ratio(rps(`${SVC}, status_code=~"5.."`), rps(SVC), 'service'), '{{service}}')] },
      { title: 'Latency by service', unit: 's', description: 'p50, p95 and p99 of the server request duration per service; exemplars link to the trace.', queries: quantiles(`${H}_bucket{${SVC}}`, 'service', '{{service}}') },
      { title: 'Requests by status class', unit: 'reqps', description: 'Requests per second by service and status code.', queries: [q(`sum by (service, status_code) (${rps(SVC)})`, '{{service}} {{status_code}}')] },
      { title: 'Edge requests per second', unit: 'reqps', description: 'Calls each service (and the frontend server) makes to another, from the caller\'s client histogram.', queries: [q(`sum by (service, upstream) (rate(${CLIENT}_count{${SVC}}${R}))`, '{{service}} → {{upstream}}')] },
      { title: 'Edge error ratio', unit: 'percentunit', description: 'Share of calls on each edge that got a 5xx or no answer at all (status 0), as the caller saw them.', min: 0, queries: [q(ratio(`rate(${CLIENT}_count{${SVC}, status_code=~"5..|0"}${R})`, `rate(${CLIENT}_count{${SVC}}${R})`, 'service, upstream'), '{{service}} → {{upstream}}')] },
      { title: 'Edge latency p95', unit: 's', description: 'p95 of the call duration on each edge, as the caller measured it.', queries: [q(`histogram_quantile(0.95, sum by (service, upstream, le) (rate(${CLIENT}_bucket{${SVC}}${R})))`, '{{service}} → {{upstream}}')] },
    ],
  });

export const serviceDetail = (): Dashboard =>
  dashboard({
    uid: 'marketshare-service',
    title: 'Marketshare / Service detail',
    description: 'One service by route: traffic, errors, latency, outbound calls, RabbitMQ and the outbox.',
    tags: ['service'],
    variables: SERVICES,
    panels: [
      { title: 'Requests per second by route', unit: 'reqps', description: 'Rate of requests by method and route template.', queries: [q(`sum by (service, method, route) (${rps(SVC)})`, '{{service}} {{method}} {{route}}')] },
      { title: 'Error ratio by route', unit: 'percentunit', description: 'Share of each route\'s requests answered with a 5xx status.', min: 0, queries: [q(ratio(rps(`${SVC}, status_code=~"5.."`), rps(SVC), 'service, method, route'), '{{service}} {{method}} {{route}}')] },
      { title: 'Latency p95 by route', unit: 's', description: 'p95 of the request duration by route template; exemplars link to the trace.', queries: [q(`histogram_quantile(0.95, sum by (service, route, le) (rate(${H}_bucket{${SVC}}${R})))`, '{{service}} {{route}}')] },
      { title: 'Responses by status code', unit: 'reqps', description: 'Rate of responses by route and status code.', queries: [q(`sum by (service, route, status_code) (${rps(SVC)})`, '{{service}} {{route}} {{status_code}}')] },
      { title: 'Outbound calls by upstream and route', unit: 'reqps', description: 'Calls this service makes to others (client histogram), by upstream, route and status.', queries: [q(`sum by (service, upstream, route, status_code) (rate(${CLIENT}_count{${SVC}}${R}))`, '{{upstream}} {{route}} {{status_code}}')] },
      { title: 'Outbound latency p95', unit: 's', description: 'p95 of the outbound call duration by upstream and server address.', queries: [q(`histogram_quantile(0.95, sum by (service, upstream, server_address, le) (rate(${CLIENT}_bucket{${SVC}}${R})))`, '{{service}} → {{upstream}} ({{server_address}})')] },
      { title: 'Database operations per second', unit: 'ops', description: 'Queries and commands sent to PostgreSQL, MySQL/MariaDB or MongoDB, by system and operation (from the client spans).', queries: [q(`sum by (service, db_system, db_operation) (rate(${DB}_count{${SVC}}${R}))`, '{{service}} {{db_system}} {{db_operation}}')] },
      { title: 'Database operation latency p95', unit: 's', description: 'p95 of the database operation duration by system and operation.', queries: [q(`histogram_quantile(0.95, sum by (service, db_system, db_operation, le) (rate(${DB}_bucket{${SVC}}${R})))`, '{{service}} {{db_system}} {{db_operation}}')] },
      { title: 'RabbitMQ publishes by routing key and outcome', unit: 'ops', description: 'Messages published, by exchange, routing key and publisher-confirm outcome.', queries: [q(`sum by (service, exchange, routing_key, outcome) (rate(messaging_published_total{${SVC}}${R}))`, '{{service}} {{routing_key}} {{outcome}}')] },
      { title: 'RabbitMQ consumes by queue and outcome', unit: 'ops', description: 'Messages taken from queues, by what became of them (ack, retry, dead, duplicate).', queries: [q(`sum by (service, queue, outcome) (rate(messaging_consumed_total{${SVC}}${R}))`, '{{service}} {{queue}} {{outcome}}')] },
      { title: 'Message processing p95 by queue', unit: 's', description: 'p95 of the time from delivery to ack of a consumed message, handler included.', queries: [q(`histogram_quantile(0.95, sum by (service, queue, le) (rate(messaging_process_duration_seconds_bucket{${SVC}}${R})))`, '{{service}} {{queue}}')] },
      { title: 'RabbitMQ publish confirm p95', unit: 's', description: 'p95 of the time from publishing to the broker\'s confirm, by routing key.', queries: [q(`histogram_quantile(0.95, sum by (service, routing_key, le) (rate(messaging_publish_duration_seconds_bucket{${SVC}}${R})))`, '{{service}} {{routing_key}}')] },
      { title: 'Outbox backlog', unit: 'short', description: 'Events in each service\'s outbox not yet confirmed by RabbitMQ.', queries: [q(`max by (service) (outbox_backlog{${SVC}})`, '{{service}}')] },
      { title: 'Outbox oldest event age', unit: 's', description: 'Age of the oldest event still waiting in the outbox (0 when empty); the OutboxOldestEventTooOld alert fires above 300 s.', queries: [q(`max by (service) (outbox_oldest_event_age_seconds{${SVC}})`, '{{service}}')] },
      { title: 'Resident memory', unit: 'bytes', description: 'Resident set size of each service process.', queries: [q(`max by (service, instance) (process_resident_memory_bytes{${SVC}})`, '{{service}} {{instance}}')] },
      { title: 'CPU', unit: 'percentunit', description: 'CPU time per second of each service process (1 = one core).', queries: [q(`sum by (service, instance) (rate(process_cpu_seconds_total{${SVC}}${R}))`, '{{service}} {{instance}}')] },
      { title: 'Event loop lag p99', unit: 's', description: 'p99 of the Node.js event loop delay: a blocked loop delays every request.', queries: [q(`max by (service, instance) (nodejs_eventloop_lag_p99_seconds{${SVC}})`, '{{service}} {{instance}}')] },
    ],
  });

export const businessFlow = (): Dashboard =>
  dashboard({
    uid: 'marketshare-business',
    title: 'Marketshare / Business flow',
    description: 'Registrations, logins, checkouts, orders by status, stock reservations and emails.',
    tags: ['business'],
    variables: SERVICES,
    panels: [
      { type: 'stat', title: 'Orders stored', unit: 'short', description: 'All orders in ms-orders\' database (the gauge is the same on every instance).', queries: [q(`sum(max by (status) (orders{${NS}}))`, 'orders')] },
      { type: 'stat', title: 'Checkouts per second', unit: 'reqps', description: 'Checkout requests answered by ms-orders.', queries: [q(`sum(${rps(`${NS}, service="ms-orders", route="/api/orders/checkout"`)})`, 'checkouts')] },
      { type: 'stat', title: 'Payments declined ratio', unit: 'percentunit', description: 'Share of payment authorizations the payment provider declined.', queries: [q(ratio(`rate(payments_total{${NS}, outcome="declined"}${R})`, `rate(payments_total{${NS}}${R})`, 'namespace'), 'declined')] },
      { type: 'stat', title: 'Reservations refused ratio', unit: 'percentunit', description: 'Share of stock reservations refused for lack of stock.', queries: [q(ratio(`rate(stock_reservations_total{${NS}, outcome="rejected"}${R})`, `rate(stock_reservations_total{${NS}}${R})`, 'namespace'), 'refused')] },
      { type: 'stat', title: 'Failed logins ratio', unit: 'percentunit', description: 'Share of credential checks that failed.', queries: [q(ratio(`rate(login_checks_total{${NS}, outcome!="valid"}${R})`, `rate(login_checks_total{${NS}}${R})`, 'namespace'), 'failed')] },
      { title: 'Orders by status', unit: 'short', description: 'Orders stored, by status (ms-orders\' orders gauge).', queries: [q(`max by (status) (orders{${NS}})`, '{{status}}')] },
      { title: 'Checkouts by outcome', unit: 'ops', description: 'What became of each checkout: placed, partially placed, out of stock, payment declined, replayed (same Idempotency-Key), refused, products unavailable, error.', queries: [q(`sum by (outcome) (rate(checkouts_total{${NS}}${R}))`, '{{outcome}}')] },
      { title: 'Payments by outcome', unit: 'ops', description: 'Payment authorizations of reserved orders, approved or declined.', queries: [q(`sum by (outcome) (rate(payments_total{${NS}}${R}))`, '{{outcome}}')] },
      { title: 'Checkouts by HTTP outcome', unit: 'reqps', description: 'Checkout requests by status code: 201 placed, 409 refused (stock), 4xx invalid, 5xx failed.', queries: [q(`sum by (status_code) (${rps(`${NS}, service="ms-orders", route="/api/orders/checkout"`)})`, '{{status_code}}')] },
      { title: 'Stock reservations by outcome', unit: 'ops', description: 'Reservation operations in ms-products: reserved, rejected, duplicate, conflict, released, confirmed, error.', queries: [q(`sum by (outcome) (rate(stock_reservations_total{${NS}}${R}))`, '{{outcome}}')] },
      { title: 'Reservation latency p95', unit: 's', description: 'p95 of the time to answer a reserve request, by outcome.', queries: [q(`histogram_quantile(0.95, sum by (outcome, le) (rate(stock_reservation_duration_seconds_bucket{${NS}}${R})))`, '{{outcome}}')] },
      { title: 'Registrations by role', unit: 'ops', description: 'Accounts registered per second, by role.', queries: [q(`sum by (role) (rate(users_registered_total{${NS}}${R}))`, '{{role}}')] },
      { title: 'Credential checks by outcome', unit: 'ops', description: 'Credential checks ms-auth asked ms-users for, by outcome.', queries: [q(`sum by (outcome) (rate(login_checks_total{${NS}}${R}))`, '{{outcome}}')] },
      { title: 'Tokens issued and refused', unit: 'ops', description: 'Access tokens issued by grant type, and token requests refused by OAuth error.', queries: [q(`sum by (grant_type) (rate(auth_tokens_issued_total{${NS}}${R}))`, 'issued {{grant_type}}'), q(`sum by (grant_type, error) (rate(auth_token_errors_total{${NS}}${R}))`, 'refused {{grant_type}} {{error}}')] },
      { title: 'Emails by type and outcome', unit: 'ops', description: 'Emails ms-email handled, by type and outcome (sent, failed, duplicate, dead, skipped).', queries: [q(`sum by (type, outcome) (rate(emails_total{${NS}}${R}))`, '{{type}} {{outcome}}')] },
      { title: 'SMTP send latency p95', unit: 's', description: 'p95 of the time the SMTP server took to accept an email, by type.', queries: [q(`histogram_quantile(0.95, sum by (type, le) (rate(email_send_duration_seconds_bucket{${NS}}${R})))`, '{{type}}')] },
    ],
  });

/** SLO targets; the alert rules in prometheus/rules should burn against the same numbers. */
export const AVAILABILITY_TARGET = 0.995;
export const LATENCY_TARGET = 0.99;
export const LATENCY_THRESHOLD_SECONDS = '0.5';

function sloRatios(): { availability: (window: string) => string; latency: (window: string) => string } {
  const sel = `${SVC}, ${NOT_PROBES}`;
  const all = `sum by (service) (${rps(sel)})`;
  const errors = `(sum by (service) (${rps(`${sel}, status_code=~"5.."`)}) or ${all} * 0)`;
  const fast = `(sum by (service) (rate(${H}_bucket{${sel}, le="${LATENCY_THRESHOLD_SECONDS}"}${R})) or ${all} * 0)`;
  // Subqueries over rates taken at $__rate_interval: the window is the SLO's, the rate is Grafana's.
  return {
    availability: (w) => `sum_over_time(${errors}[${w}]) / sum_over_time(${all}[${w}])`,
    latency: (w) => `1 - sum_over_time(${fast}[${w}]) / sum_over_time(${all}[${w}])`,
  };
}

export const slos = (): Dashboard => {
  const { availability, latency } = sloRatios();
  const availBudget = (1 - AVAILABILITY_TARGET).toFixed(3);
  const latBudget = (1 - LATENCY_TARGET).toFixed(3);
  return dashboard({
    uid: 'marketshare-slo',
    title: 'Marketshare / SLOs',
    description: `Availability SLO ${AVAILABILITY_TARGET * 100}% non-5xx and latency SLO ${LATENCY_TARGET * 100}% under ${LATENCY_THRESHOLD_SECONDS} s, per service over 30 days; health probes excluded.`,
    tags: ['slo'],
    variables: SERVICES,
    panels: [
      { type: 'bargauge', width: 12, title: 'Availability error budget left (30d)', unit: 'percentunit', max: 1, description: `1 − (5xx ratio over 30 days ÷ ${availBudget}); below 0 the SLO is broken.`, queries: [q(`1 - (${availability('30d:1m')}) / ${availBudget}`, '{{service}}')] },
      { type: 'bargauge', width: 12, title: 'Latency error budget left (30d)', unit: 'percentunit', max: 1, description: `1 − (share of requests slower than ${LATENCY_THRESHOLD_SECONDS} s over 30 days ÷ ${latBudget}).`, queries: [q(`1 - (${latency('30d:1m')}) / ${latBudget}`, '{{service}}')] },
      { title: 'Availability burn rate', unit: 'short', description: 'How fast the availability budget burns (1 = exactly on budget) over the 5m, 1h and 6h windows of the multi-window alerts (page at 14.4 on 1h, ticket at 6 on 6h).', queries: ['5m:', '1h:1m', '6h:1m'].map((w) => q(`(${availability(w)}) / ${availBudget}`, `{{service}} ${w.split(':')[0] ?? w}`)) },
      { title: 'Latency burn rate', unit: 'short', description: `How fast the latency budget (requests slower than ${LATENCY_THRESHOLD_SECONDS} s) burns over 5m, 1h and 6h.`, queries: ['5m:', '1h:1m', '6h:1m'].map((w) => q(`(${latency(w)}) / ${latBudget}`, `{{service}} ${w.split(':')[0] ?? w}`)) },
      { title: 'Availability (30d)', unit: 'percentunit', description: 'Share of non-5xx responses over the SLO window.', queries: [q(`1 - (${availability('30d:1m')})`, '{{service}}')] },
      { title: 'Requests under the latency threshold (30d)', unit: 'percentunit', description: `Share of requests answered within ${LATENCY_THRESHOLD_SECONDS} s over the SLO window.`, queries: [q(`1 - (${latency('30d:1m')})`, '{{service}}')] },
    ],
  });
};
