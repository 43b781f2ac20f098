/**
 * The stack's trace backend: Zipkin server (Maven Central's runnable exec jar) with in-memory
 * storage, bound to 127.0.0.1. The services send it their spans with the Zipkin exporter
 * (OTEL_TRACES_EXPORTER=zipkin, see services.ts); it does not speak OTLP.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Component } from './components.js';
import { requireCommand, runChecked } from './exec.js';
import { httpStatus } from './net.js';
import type { StackContext } from './types.js';

export const ZIPKIN_VERSION = '3.5.1';

export function zipkinJar(repoRoot: string): string {
  return path.join(repoRoot, '.local', 'zipkin', `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
}

/** Copies the exec jar (about 130 MB, once) from Maven Central into .local/zipkin. */
export async function fetchZipkin(repoRoot: string): Promise<string> {
  const jar = zipkinJar(repoRoot);
  if (existsSync(jar)) return jar;
  const mvn = requireCommand('mvn', 'apt-get install maven');
  // Into a directory of this process first: a stack starting beside it must never see half a jar.
  const scratch = path.join(path.dirname(jar), `.fetch-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    // dependency:copy needs no project; cwd is the scratch dir so no pom.xml nearby is picked up.
    await runChecked(
      mvn,
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`,
        `-DoutputDirectory=${scratch}`,
      ],
      { cwd: scratch, timeoutMs: 600_000 },
    );
    renameSync(path.join(scratch, path.basename(jar)), jar);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return jar;
}

/** Where the services post their spans (the Zipkin v2 JSON API). */
export function zipkinSpansEndpoint(ctx: StackContext): string {
  return `http://127.0.0.1:${ctx.ports.ZIPKIN_PORT}/api/v2/spans`;
}

export const ZIPKIN: Component = {
  name: 'zipkin',
  portKeys: ['ZIPKIN_PORT'],
  prepare: async (ctx) => {
    const jar = await fetchZipkin(ctx.repoRoot);
    const java = requireCommand('java', 'apt-get install openjdk-17-jre-headless');
    const port = ctx.ports.ZIPKIN_PORT;
    return {
      name: 'zipkin',
      command: java,
      args: [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        // Start-up time matters more here than peak throughput: skip the optimizing JIT tiers.
        '-XX:TieredStopAtLevel=1',
        '-jar',
        jar,
        `--armeria.ports[0].port=${port}`,
        '--armeria.ports[0].ip=127.0.0.1',
        '--armeria.ports[0].protocols[0]=http',
      ],
      cwd: ctx.stateDir,
      // In-memory storage keeps 500,000 spans by default, more than 256 MB holds: a long test run
      // (or a day of `npm start`) would leave Zipkin collecting garbage instead of spans. It
      // drops the oldest traces beyond this bound.
      env: { ...ctx.env, STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '50000' },
      ports: [port],
    };
  },
  ready: async (ctx) => (await httpStatus(`http://127.0.0.1:${ctx.ports.ZIPKIN_PORT}/health`)) === 200,
};
