/**
 * The README's commands themselves: `npm start` brings the whole stack up (install check,
 * infrastructure, databases, every built service, gateway, Prometheus, SMTP sink), a second
 * `npm start` is harmless, and `npm stop` takes it all down again. Run on random ports with
 * its own state dir, database prefix and vhost so it never touches a developer's stack.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PORT_DEFAULTS, REPO_ROOT, freePorts } from '../stack/index.js';
import { isPortOpen } from '../stack/net.js';

interface CommandResult {
  code: number | null;
  output: string;
}

function npm(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm start / npm stop', function () {
  this.timeout(300_000);
  const id = `${process.pid}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  let env: NodeJS.ProcessEnv = {};
  let gatewayPort = 0;

  before(async () => {
    const keys = Object.keys(PORT_DEFAULTS);
    const ports = await freePorts(keys.length);
    env = {
      ...process.env,
      STACK_DIR: stateDir,
      STACK_DB_PREFIX: `npm${id}_`,
      STACK_VHOST: `npm-${id}`,
      LOG_LEVEL: 'warn',
      STACK_DEMO_DATA: 'none',
      ...Object.fromEntries(keys.map((key, index) => [key, String(ports[index])])),
    };
    gatewayPort = Number(env['GATEWAY_PORT']);
  });

  after(async () => {
    await npm(['stop', '--', '--purge'], env, 120_000);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts everything, prints the URLs, and answers through the gateway', async () => {
    const started = await npm(['start'], env, 240_000);
    assert.equal(started.code, 0, started.output);
    assert.match(started.output, new RegExp(`gateway\\s+http://127\\.0\\.0\\.1:${gatewayPort}`));
    const jwks = await fetch(`http://127.0.0.1:${gatewayPort}/.well-known/jwks.json`);
    assert.equal(jwks.status, 200);
  });

  it('is safe to run twice', async () => {
    const again = await npm(['start'], env, 120_000);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /already running/);
  });

  it('stops what it started', async () => {
    const stopped = await npm(['stop'], env, 120_000);
    assert.equal(stopped.code, 0, stopped.output);
    assert.equal(await isPortOpen(gatewayPort), false);
    assert.equal(await isPortOpen(Number(env['MS_AUTH_PORT'])), false);
  });
});
