/** Prometheus: the generated config, the template and the alert rules pass promtool. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../stack/config.js';
import { run } from '../stack/exec.js';
import { prometheusConfig } from '../stack/prometheus.js';
import { SERVICES } from '../stack/services.js';
import { PORT_DEFAULTS } from '../stack/types.js';

describe('prometheus config and rules', function () {
  this.timeout(30_000);
  let dir = '';

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'prom-test-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a config that promtool accepts, with a job per service and the exporters', async () => {
    const ports = { ...PORT_DEFAULTS, GATEWAY_PORT: 18080, HAPROXY_STATS_PORT: 18404, MS_AUTH_PORT: 14001 };
    const text = prometheusConfig({ repoRoot: REPO_ROOT, ports, services: SERVICES });
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, text);
    const result = await run('promtool', ['check', 'config', file], { timeoutMs: 20_000 });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    for (const spec of SERVICES) assert.match(text, new RegExp(`job_name: "${spec.name}"`));
    assert.match(text, /targets: \["127\.0\.0\.1:14001"\]/);
    assert.match(text, /targets: \["127\.0\.0\.1:18404"\]/);
    assert.match(text, /targets: \["127\.0\.0\.1:15692"\]/);
    assert.match(text, /service: "ms-auth"/);
  });

  it('keeps prometheus/prometheus.yml (the template) valid', async () => {
    const file = path.join(REPO_ROOT, 'prometheus', 'prometheus.yml');
    const result = await run('promtool', ['check', 'config', file], { timeoutMs: 20_000 });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });

  it('has alert rules that pass promtool check rules', async () => {
    const rulesDir = path.join(REPO_ROOT, 'prometheus', 'rules');
    const files = readdirSync(rulesDir)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => path.join(rulesDir, file));
    assert.ok(files.length > 0);
    const result = await run('promtool', ['check', 'rules', ...files], { timeoutMs: 20_000 });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /SUCCESS/);
  });
});
