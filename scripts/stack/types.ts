/** Shared types of the local stack runner. */

/** Every port the stack binds, keyed by the environment variable that overrides it. */
export const PORT_DEFAULTS = {
  GATEWAY_PORT: 8080,
  HAPROXY_STATS_PORT: 8404,
  FRONTEND_PORT: 3000,
  PROMETHEUS_PORT: 9090,
  ZIPKIN_PORT: 9411,
  ALERTMANAGER_PORT: 9093,
  SMTP_PORT: 1025,
  SMTP_WEB_PORT: 1080,
  MONGO_PORT: 27017,
  MS_AUTH_PORT: 4001,
  MS_USERS_PORT: 4002,
  MS_PRODUCTS_PORT: 4003,
  MS_ORDERS_PORT: 4004,
  MS_EMAIL_PORT: 4005,
} as const;

export type PortKey = keyof typeof PORT_DEFAULTS;
export type Ports = Record<PortKey, number>;

/** What each port is for, used in messages ("port 8080 (gateway) is already in use"). */
export const PORT_PURPOSES: Record<PortKey, string> = {
  GATEWAY_PORT: 'gateway',
  HAPROXY_STATS_PORT: 'HAProxy stats and metrics',
  FRONTEND_PORT: 'frontend',
  PROMETHEUS_PORT: 'Prometheus',
  ZIPKIN_PORT: 'Zipkin',
  ALERTMANAGER_PORT: 'Alertmanager',
  SMTP_PORT: 'SMTP sink',
  SMTP_WEB_PORT: 'SMTP sink web UI',
  MONGO_PORT: 'Mongo stand-in',
  MS_AUTH_PORT: 'ms-auth',
  MS_USERS_PORT: 'ms-users',
  MS_PRODUCTS_PORT: 'ms-products',
  MS_ORDERS_PORT: 'ms-orders',
  MS_EMAIL_PORT: 'ms-email',
};

/** Shared servers the stack reuses when running, starts (and records) when not. */
export const INFRA = {
  postgres: { host: '127.0.0.1', port: 5432 },
  mysql: { host: '127.0.0.1', port: 3306 },
  rabbitmq: { host: '127.0.0.1', port: 5672, prometheusPort: 15692, user: 'guest', password: 'guest' },
} as const;

export type Secrets = Record<string, string>;

export type Logger = (message: string) => void;

/** Everything a service's environment is built from. */
export interface StackContext {
  repoRoot: string;
  /** The environment the stack was started from (PATH, LOG_LEVEL, OTEL_..., GATEWAY_TOKEN_RATE). */
  env: NodeJS.ProcessEnv;
  stateDir: string;
  ports: Ports;
  secrets: Secrets;
  dbPrefix: string;
  vhost: string | null;
  rabbitmqUrl: string;
  /** Connection string for ms-orders: MONGO_URL from the environment, or the stand-in. */
  mongoUrl: string;
  /** True when MONGO_URL was given, so no stand-in is started. */
  externalMongo: boolean;
  gatewayUrl: string;
}

/** A process the runner started, as recorded in `$STACK_DIR/pids/<name>.json`. */
export interface ProcessRecord {
  name: string;
  /** Start sequence; `stop` goes in reverse. */
  order: number;
  /** null for daemons stopped by command whose pid is not known (RabbitMQ). */
  pid: number | null;
  /** Kernel start time of the pid (from /proc), guards against pid reuse. */
  startTime: string | null;
  /** True when pid leads its own process group (signals go to the group). */
  group: boolean;
  ports: number[];
  log: string;
  /** Stop by running this command instead of signalling the pid. */
  stopCommand: string[] | null;
  /**
   * A shared server (PostgreSQL, MariaDB, RabbitMQ) this stack had to start: stopped with the
   * stack only while no other client is connected to it.
   */
  shared?: boolean;
  startedAt: string;
  /** Times the supervisor started it again after it exited, and when it last did. */
  restarts?: number;
  lastRestartAt?: string;
  /** Set when the supervisor gave up on it (its restart limit): why. */
  crashLooping?: string;
}

/** The resolved configuration of one stack, kept in `$STACK_DIR/stack.json`. */
export interface StackConfig {
  ports: Ports;
  dbPrefix: string;
  vhost: string | null;
  mongoUrl: string;
  externalMongo: boolean;
  /** Services started (or to start), in start order, with their ports. */
  services: { name: string; port: number }[];
}

export interface StackUrls {
  gateway: string;
  haproxyStats: string;
  haproxyMetrics: string;
  prometheus: string;
  /** Zipkin's UI (its API is under /api/v2 of the same origin) */
  zipkin: string;
  alertmanager: string;
  smtpWeb: string;
  /** SMTP sink address as a URL, e.g. smtp://127.0.0.1:1025 */
  smtp: string;
  mongo: string;
  rabbitmq: string;
  /** Base URL of each started service, by name. */
  services: Record<string, string>;
}
