/** Where `npm run dlq` finds the broker: one schema over the environment, then the local stack. */
import { ConfigError, parseConfig, Type } from '@marketshare/platform';
import { readConfig, rabbitmqUrl, resolveStateDir } from '../stack/config.js';

export const DlqConfigSchema = Type.Object({
  RABBITMQ_URL: Type.Optional(
    Type.String({
      pattern: '^amqps?://',
      description: 'amqp://user:password@host:port/vhost; without it, the running local stack is used',
      'x-sensitive': true,
    }),
  ),
  RABBITMQ_VHOST: Type.Optional(
    Type.String({ minLength: 1, description: 'overrides the vhost of the URL (e.g. a test vhost)' }),
  ),
  STACK_DIR: Type.Optional(
    Type.String({ minLength: 1, description: "the local stack's state (default .local/stack)" }),
  ),
});

export interface DlqConfig {
  url: string;
  /** where the URL came from, for the first line of output (never the URL: it has a password) */
  source: string;
}

export function parseDlqConfig(env: Record<string, string | undefined>): DlqConfig {
  const raw = parseConfig(DlqConfigSchema, env);
  let url: URL;
  let source: string;
  if (raw.RABBITMQ_URL !== undefined) {
    url = new URL(raw.RABBITMQ_URL);
    source = 'RABBITMQ_URL';
  } else {
    const stateDir = resolveStateDir(raw.STACK_DIR);
    const stack = readConfig(stateDir);
    if (!stack) {
      throw new ConfigError([
        `RABBITMQ_URL is not set and there is no local stack state in ${stateDir} (start it with npm start, or set RABBITMQ_URL)`,
      ]);
    }
    url = new URL(rabbitmqUrl(stack.vhost));
    source = `the local stack (${stateDir})`;
  }
  if (raw.RABBITMQ_VHOST !== undefined) url.pathname = `/${encodeURIComponent(raw.RABBITMQ_VHOST)}`;
  const vhost = decodeURIComponent(url.pathname.slice(1)) || '/';
  return { url: url.toString(), source: `${source}, vhost ${vhost}` };
}
