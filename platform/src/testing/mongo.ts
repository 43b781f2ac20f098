import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import path from 'node:path';
// The stack runner owns fetching the stand-in (Maven into .local/mongo/lib); tests reuse it.
import { fetchMongoStandIn } from '../../../scripts/stack/components.js';
import { REPO_ROOT } from '../../../scripts/stack/config.js';
import { freePort, waitFor } from './ports.js';

export interface TestMongo {
  /** mongodb://…/<unique database>: what a service's config takes as MONGO_URL */
  url: string;
  /**
   * Stops the stand-in this run started (its data lived in memory). On an external server
   * (MONGO_URL) the database is left for the caller to drop with its own driver.
   */
  stop(): Promise<void>;
}

const uniqueDatabase = () => `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A MongoDB for one test run: a unique database on MONGO_URL's server when it is set, else the
 * mongo-java-server stand-in (in memory) on a random 127.0.0.1 port, started here and killed by
 * stop() (or when the test process exits).
 */
export async function startTestMongo(): Promise<TestMongo> {
  const external = process.env['MONGO_URL'];
  if (external !== undefined && external !== '') {
    const url = new URL(external);
    url.pathname = `/${uniqueDatabase()}`;
    return { url: url.toString(), stop: async () => undefined };
  }
  const lib = await fetchMongoStandIn(REPO_ROOT);
  const port = await freePort();
  const child = spawn(
    'java',
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-cp',
      `${lib}/*`,
      path.join(REPO_ROOT, 'scripts', 'mongo', 'MongoStandIn.java'),
      '127.0.0.1',
      String(port),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the stand-in exited (${child.exitCode}): ${stderr}`);
        return accepts(port);
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the mongo stand-in on port ${port}` },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `mongodb://127.0.0.1:${port}/${uniqueDatabase()}`, stop };
}
