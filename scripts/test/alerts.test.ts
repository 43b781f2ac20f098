/**
 * Alerts: the rules pass promtool and their unit tests (each alert both fires and stays quiet
 * in one), and a firing alert reaches an SMTP server as an email, through a real Alertmanager
 * run with the config the stack generates — once posted to its API, once fired by a real
 * Prometheus scraping a dead port.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestSmtpServer } from '@marketshare/platform/testing';
import type { TestSmtpServer } from '@marketshare/platform/testing';
import {
  ALERTMANAGER_COMMAND,
  ALERT_EMAIL_TO,
  alertmanagerArgs,
  alertmanagerConfig,
} from '../stack/alertmanager.js';
import { REPO_ROOT } from '../stack/config.js';
import { run } from '../stack/exec.js';
import { freePorts, httpStatus, waitUntil } from '../stack/net.js';
import { prometheusConfig } from '../stack/prometheus.js';
import { SERVICES } from '../stack/services.js';
import { PORT_DEFAULTS } from '../stack/types.js';

const RULES_DIR = path.join(REPO_ROOT, 'prometheus', 'rules');
const TESTS_DIR = path.join(REPO_ROOT, 'prometheus', 'tests');
const yamlIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => path.join(dir, file));

/** Alert names of the rule files (each `- alert: Name` line). */
function alertNames(): string[] {
  return yamlIn(RULES_DIR).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*- alert:\s*(\w+)/gm)].map((match) => match[1] ?? ''),
  );
}

/** For each alertname of the unit tests: whether a case expects it firing, and one quiet. */
function testedCases(): Map<string, { fires: boolean; quiet: boolean }> {
  const cases = new Map<string, { fires: boolean; quiet: boolean }>();
  for (const file of yamlIn(TESTS_DIR)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/alertname:\s*(\w+)\s*\n\s*exp_alerts:(\s*\[\])?/g)) {
      const name = match[1] ?? '';
      const entry = cases.get(name) ?? { fires: false, quiet: false };
      if (match[2] === undefined) entry.fires = true;
      else entry.quiet = true;
      cases.set(name, entry);
    }
  }
  return cases;
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs a daemon in the foreground until readyUrl answers 200; throws with its output if not. */
async function startProcess(command: string, args: string[], readyUrl: string): Promise<Proc> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // A missing binary (ENOENT) ends up in the output and as an exit, not as an uncaught error.
  child.on('error', (error) => (output += `${error.message}\n`));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    // Never spawned (pid undefined): no exit event will come.
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const up = await waitUntil(
    async () => child.exitCode !== null || child.pid === undefined || (await httpStatus(readyUrl)) === 200,
    20_000,
  );
  if (!up || child.exitCode !== null || child.pid === undefined) {
    await stop();
    throw new Error(`${command} did not become ready:\n${output}`);
  }
  return { child, output: () => output, stop };
}

describe('alerts', function () {
  this.timeout(60_000);

  it('has rule files that pass promtool check rules', async () => {
    const files = yamlIn(RULES_DIR);
    assert.ok(files.length > 0);
    const result = await run('promtool', ['check', 'rules', ...files], { timeoutMs: 20_000 });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });

  it('gives every alert a threshold, a description and a severity', () => {
    for (const file of yamlIn(RULES_DIR)) {
      const blocks = readFileSync(file, 'utf8')
        .split(/^\s*- (?=alert:|record:)/m)
        .slice(1);
      for (const block of blocks.filter((text) => text.startsWith('alert:'))) {
        const name = /^alert:\s*(\w+)/.exec(block)?.[1] ?? '?';
        assert.match(block, /\n\s+severity: (critical|warning)\n/, `${name}: severity`);
        assert.match(block, /\n\s+threshold: /, `${name}: threshold annotation`);
        assert.match(block, /\n\s+description: /, `${name}: description annotation`);
      }
    }
  });

  it('passes promtool test rules, with a firing and a quiet case for every alert', async () => {
    const files = yamlIn(TESTS_DIR);
    const result = await run('promtool', ['test', 'rules', ...files], { timeoutMs: 30_000 });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const cases = testedCases();
    const names = alertNames();
    assert.ok(names.length >= 10, names.join(', '));
    for (const name of names) {
      assert.deepEqual(cases.get(name), { fires: true, quiet: true }, `unit tests of ${name}`);
    }
  });

  it('generates an Alertmanager config amtool accepts and a Prometheus config that alerts to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'am-config-'));
    try {
      const file = path.join(dir, 'alertmanager.yml');
      writeFileSync(file, alertmanagerConfig({ smtpPort: 11025 }));
      for (const config of [file, path.join(REPO_ROOT, 'prometheus', 'alertmanager.yml')]) {
        const result = await run('amtool', ['check-config', config], { timeoutMs: 20_000 });
        assert.equal(result.code, 0, `${config}:\n${result.stdout}\n${result.stderr}`);
      }
      assert.match(readFileSync(file, 'utf8'), /smtp_require_tls: false/);
      const ports = { ...PORT_DEFAULTS, ALERTMANAGER_PORT: 19093 };
      const prometheus = prometheusConfig({ repoRoot: REPO_ROOT, ports, services: SERVICES });
      assert.match(prometheus, /alerting:\n {2}alertmanagers:\n.*\n {8}- targets: \["127\.0\.0\.1:19093"\]/);
      for (const rules of yamlIn(RULES_DIR)) assert.ok(prometheus.includes(JSON.stringify(rules)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('delivery by email', () => {
    let dir = '';
    let smtp: TestSmtpServer | null = null;
    let alertmanager: Proc | null = null;
    let prometheus: Proc | null = null;
    let amPort = 0;
    let promPort = 0;
    let deadPort = 0;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'alerts-e2e-'));
      smtp = await startTestSmtpServer();
      [amPort = 0, promPort = 0, deadPort = 0] = await freePorts(3);
      const config = path.join(dir, 'alertmanager.yml');
      // No group wait: the email goes out as soon as the alert arrives.
      writeFileSync(config, alertmanagerConfig({ smtpPort: smtp.port, groupWait: '0s' }));
      const args = alertmanagerArgs(config, path.join(dir, 'am-data'), amPort);
      alertmanager = await startProcess(ALERTMANAGER_COMMAND, args, `http://127.0.0.1:${amPort}/-/ready`);
    });

    after(async () => {
      await prometheus?.stop();
      await alertmanager?.stop();
      await smtp?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('mails an alert posted to Alertmanager, with its name and description', async () => {
      const description = 'Test alert from alerts.test.ts: nothing is wrong.';
      const response = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: { alertname: 'AlertsTestPosted', severity: 'warning', service: 'ms-test' },
            annotations: { summary: 'a posted test alert', description, threshold: 'none' },
          },
        ]),
      });
      assert.equal(response.status, 200, await response.text());
      const [mail] = (await smtp?.waitForMessages(1, 20_000)) ?? [];
      assert.ok(mail, alertmanager?.output());
      assert.deepEqual(mail.to, [ALERT_EMAIL_TO]);
      assert.match(mail.subject ?? '', /^\[FIRING:1\] AlertsTestPosted ms-test$/);
      assert.match(mail.text ?? '', /AlertsTestPosted \(warning\) firing/);
      assert.ok((mail.text ?? '').includes(`Description: ${description}`), mail.text);
    });

    it('mails TargetDown fired by a real Prometheus scraping a dead port', async function () {
      this.timeout(90_000);
      // The real TargetDown rule, with its `for` cut from 1m to 2s so the test is quick.
      const rule = readFileSync(path.join(RULES_DIR, 'platform.yml'), 'utf8');
      const targetDown = /( {6}- alert: TargetDown\n[\s\S]*?)(?=\n\n)/.exec(rule)?.[1] ?? '';
      assert.match(targetDown, /for: 1m/);
      const rules = path.join(dir, 'rules.yml');
      writeFileSync(
        rules,
        `groups:\n  - name: test\n    rules:\n${targetDown.replace('for: 1m', 'for: 2s')}\n`,
      );
      const config = path.join(dir, 'prometheus.yml');
      writeFileSync(
        config,
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          `alerting: { alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:${amPort}"] } ] } ] }`,
          `rule_files: [${JSON.stringify(rules)}]`,
          'scrape_configs:',
          `  - job_name: "ms-dead"`,
          `    static_configs: [ { targets: ["127.0.0.1:${deadPort}"], labels: { service: "ms-dead" } } ]`,
          '',
        ].join('\n'),
      );
      prometheus = await startProcess(
        'prometheus',
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        `http://127.0.0.1:${promPort}/-/ready`,
      );
      const before = smtp?.messages.length ?? 0;
      const mails = (await smtp?.waitForMessages(before + 1, 60_000)) ?? [];
      const mail = mails.find((candidate) => (candidate.subject ?? '').includes('TargetDown'));
      assert.ok(mail, `no TargetDown mail:\n${prometheus.output()}\n${alertmanager?.output() ?? ''}`);
      assert.match(mail.subject ?? '', /^\[FIRING:1\] TargetDown ms-dead$/);
      const text = mail.text ?? '';
      assert.ok(text.includes(`Prometheus could not scrape ms-dead (127.0.0.1:${deadPort})`), text);
      assert.match(text, /Threshold: up == 0 for 1 minute/);
    });
  });
});
