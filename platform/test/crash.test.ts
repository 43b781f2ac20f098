import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const platformSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/index.ts');

/** Runs a tiny service process that installs the crash handlers, then does `act`. */
function runCrashing(act: string) {
  const script = [
    `import { createLogger, installCrashHandlers } from ${JSON.stringify(platformSrc)};`,
    `installCrashHandlers(createLogger({ service: 'crashing', level: 'info' }));`,
    act,
    // Would keep the process alive for a minute if the handler did not exit it.
    'setTimeout(() => undefined, 60_000);',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line): Record<string, unknown> => JSON.parse(line));
  return { status: result.status, fatal: lines.find((line) => line['level'] === 'fatal') };
}

describe('platform crash handlers', function () {
  this.timeout(60_000);

  it('logs an uncaught exception with its error and exits 1', () => {
    const { status, fatal } = runCrashing("setTimeout(() => { throw new Error('stream went bad'); }, 10);");
    assert.equal(status, 1);
    assert.equal(fatal?.['msg'], 'uncaught exception: exiting');
    assert.match(JSON.stringify(fatal?.['err']), /stream went bad/);
  });

  it('logs an unhandled rejection with its reason and exits 1', () => {
    const { status, fatal } = runCrashing("void Promise.reject(new Error('relay tick failed'));");
    assert.equal(status, 1);
    assert.equal(fatal?.['msg'], 'unhandled promise rejection: exiting');
    assert.match(JSON.stringify(fatal?.['err']), /relay tick failed/);
  });
});
