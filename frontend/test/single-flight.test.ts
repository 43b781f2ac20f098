import assert from 'node:assert/strict';
import { SingleFlight } from '../src/lib/server/session/single-flight.js';

describe('frontend single-flight refresh', () => {
  it('runs one refresh for parallel requests of a session, and each gets its result', async () => {
    const flight = new SingleFlight<string>(30_000);
    let calls = 0;
    let release: (value: string) => void = () => undefined;
    const work = () => {
      calls += 1;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const results = Promise.all(Array.from({ length: 10 }, () => flight.run('s1:rt1', work)));
    release('tokens-2');
    assert.deepEqual(await results, Array(10).fill('tokens-2'));
    assert.equal(calls, 1);
  });

  it('gives a request that arrives just after with the old token the same result', async () => {
    let now = 0;
    const flight = new SingleFlight<string>(30_000, () => now);
    let calls = 0;
    const work = async () => `tokens-${++calls}`;
    assert.equal(await flight.run('s1:rt1', work), 'tokens-1');
    now = 29_000;
    assert.equal(await flight.run('s1:rt1', work), 'tokens-1');
    now = 31_000;
    assert.equal(await flight.run('s1:rt1', work), 'tokens-2');
    assert.equal(calls, 2);
  });

  it('keeps sessions apart, and does not keep failures', async () => {
    const flight = new SingleFlight<string>(30_000);
    const [a, b] = await Promise.all([flight.run('s1', async () => 'a'), flight.run('s2', async () => 'b')]);
    assert.deepEqual([a, b], ['a', 'b']);
    await assert.rejects(
      flight.run('s3', async () => {
        throw new Error('ms-auth down');
      }),
    );
    assert.equal(await flight.run('s3', async () => 'ok'), 'ok');
  });
});
