// compose/compose.yaml against the Compose Specification, the repository's images and config
// schemas, and the tools that read its gateway and Prometheus configs (haproxy, promtool).
import assert from 'node:assert/strict';
import { parseCompose } from '../cluster/compose-file.js';
import {
  alertmanagerProblems,
  environmentProblems,
  gatewayProblems,
  imageProblems,
  prometheusProblems,
  readRepoFile,
} from '../cluster/compose-checks.js';
import { composeSchemaProblems } from '../cluster/compose-schema.js';

const composeText = readRepoFile('compose/compose.yaml');
const envExample = readRepoFile('compose/.env.example');
const prometheusConfig = readRepoFile('compose/prometheus/prometheus.yml');
const compose = parseCompose(composeText);

function broken(from: string, to: string): string {
  assert.ok(composeText.includes(from), `test setup: ${from} not in compose.yaml`);
  return composeText.replace(from, to);
}

function assertSome(problems: string[], pattern: RegExp): void {
  assert.ok(
    problems.some((problem) => pattern.test(problem)),
    `expected a problem matching ${pattern}, got: ${JSON.stringify(problems)}`,
  );
}

describe('compose', () => {
  describe('Compose Specification schema', () => {
    it('compose.yaml is valid', () => assert.deepEqual(composeSchemaProblems(composeText), []));

    it('an unknown field fails, naming it', () => {
      const text = broken('  mariadb:\n    image:', '  mariadb:\n    restat: always\n    image:');
      assertSome(
        composeSchemaProblems(text),
        /\/services\/mariadb: must NOT have additional properties \(restat\)/,
      );
    });

    it('a wrongly typed field fails', () => {
      assertSome(composeSchemaProblems(broken('      retries: 30\n', '      retries: [30]\n')), /retries/);
    });
  });

  describe('images', () => {
    it('every image is ours (with its Dockerfile) or pinned', () =>
      assert.deepEqual(imageProblems(compose), []));

    it('an unpinned public image fails', () => {
      const problems = imageProblems(parseCompose(broken('image: mongo:7.0.16', 'image: mongo:7')));
      assertSome(problems, /mongo: image mongo:7 is not pinned/);
      assertSome(
        imageProblems(parseCompose(broken('image: haproxy:2.6.12', 'image: haproxy:latest'))),
        /not pinned/,
      );
    });

    it('an image of ours that no Dockerfile builds fails', () => {
      const problems = imageProblems(
        parseCompose(broken('marketshare/ms-auth:0.1.0', 'marketshare/ms-auth:9.9.9')),
      );
      assertSome(problems, /ms-auth: marketshare\/ms-auth:9.9.9 is not an image/);
    });
  });

  describe('environment', () => {
    it('sets every variable the config schemas require; secrets come from .env', () =>
      assert.deepEqual(environmentProblems(compose, composeText, envExample), []));

    it('a missing required variable fails', () => {
      const text = broken('      IMAGES_DIR: /data/images\n', '');
      assertSome(
        environmentProblems(parseCompose(text), text, envExample),
        /ms-products: IMAGES_DIR is required/,
      );
    });

    it('a literal secret fails', () => {
      const text = broken(
        'SESSION_SECRET: ${SESSION_SECRET:?set in compose/.env}',
        'SESSION_SECRET: committed-secret-0123456789',
      );
      assertSome(
        environmentProblems(parseCompose(text), text, envExample),
        /frontend: SESSION_SECRET is sensitive but a literal/,
      );
    });

    it('a secret missing from .env.example, or given a value there, fails', () => {
      const withoutIt = envExample.replace(/^SESSION_SECRET=\n/m, '');
      assertSome(
        environmentProblems(compose, composeText, withoutIt),
        /SESSION_SECRET is required by compose.yaml but not in/,
      );
      const withValue = envExample.replace(/^SESSION_SECRET=$/m, 'SESSION_SECRET=abc');
      assertSome(environmentProblems(compose, composeText, withValue), /SESSION_SECRET has a value/);
    });
  });

  describe('gateway (haproxy -c with compose addresses)', () => {
    it('gateway/haproxy.cfg checks with compose addresses', () =>
      assert.deepEqual(gatewayProblems(compose), []));

    it('an address that is not a compose service, or the wrong port, fails', () => {
      assertSome(
        gatewayProblems(parseCompose(broken('MS_AUTH_ADDR: ms-auth:4001', 'MS_AUTH_ADDR: auth:4001'))),
        /not a compose service/,
      );
      assertSome(
        gatewayProblems(parseCompose(broken('MS_USERS_ADDR: ms-users:4002', 'MS_USERS_ADDR: ms-users:4999'))),
        /listens on 4002/,
      );
    });

    it('an environment haproxy cannot run with fails', () => {
      assertSome(
        gatewayProblems(parseCompose(broken('GATEWAY_BIND: :8080', 'GATEWAY_BIND: not-an-address'))),
        /haproxy -c failed/,
      );
    });
  });

  describe('Prometheus and Alertmanager', () => {
    it('promtool check config passes with our rules', () =>
      assert.deepEqual(prometheusProblems(compose, prometheusConfig), []));

    it('a broken config or a target outside compose fails', () => {
      const invalid = prometheusConfig.replace('scrape_interval: 5s', 'scrape_interval: soon');
      assertSome(prometheusProblems(compose, invalid), /promtool check config failed/);
      const local = prometheusConfig.replace('ms-auth:4001', '127.0.0.1:4001');
      assertSome(prometheusProblems(compose, local), /"127.0.0.1:4001" is not a compose service/);
    });

    it('the compose Alertmanager config is the local one with the compose SMTP address', () => {
      const local = readRepoFile('prometheus/alertmanager.yml');
      const ours = readRepoFile('compose/alertmanager/alertmanager.yml');
      assert.deepEqual(alertmanagerProblems(ours, local), []);
      assertSome(
        alertmanagerProblems(ours.replace('repeat_interval: 4h', 'repeat_interval: 1h'), local),
        /differs/,
      );
    });
  });
});
