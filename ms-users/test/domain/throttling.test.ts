import assert from 'node:assert/strict';
import type { ThrottleState } from '../../src/domain/ports.js';
import {
  afterFailure,
  lockRemainingMs,
  throttleKey,
  type ThrottleSettings,
} from '../../src/domain/throttling.js';

const settings: ThrottleSettings = {
  maxFailures: 3,
  failureWindowMs: 60_000,
  initialLockMs: 1_000,
  maxLockMs: 5_000,
};

const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

function failMany(count: number, start: ThrottleState | undefined, now: Date): ThrottleState | undefined {
  let state = start;
  for (let i = 0; i < count; i += 1) state = afterFailure(state, now, settings);
  return state;
}

describe('login throttling rules', () => {
  it('keys by the account username when known, else by the login typed, ignoring case', () => {
    assert.equal(throttleKey('Alice@Example.com', 'Alice'), 'alice');
    assert.equal(throttleKey('  NoSuchUser '), 'nosuchuser');
  });

  it('locks after maxFailures within the window, for the initial lock time', () => {
    const twoFailures = failMany(2, undefined, at(0));
    assert.equal(lockRemainingMs(twoFailures, at(0)), 0);
    const locked = afterFailure(twoFailures, at(10), settings);
    assert.equal(lockRemainingMs(locked, at(10)), 1_000);
    assert.equal(lockRemainingMs(locked, at(1_010)), 0, 'a lock ends by itself');
  });

  it('locks again at once after a lock, doubling up to the cap', () => {
    let state = failMany(3, undefined, at(0));
    let now = 0;
    const locks: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const lockMs = lockRemainingMs(state, at(now));
      locks.push(lockMs);
      now += lockMs;
      state = afterFailure(state, at(now), settings);
    }
    assert.deepEqual(locks, [1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('forgets failures once a window passed quietly', () => {
    const twoFailures = failMany(2, undefined, at(0));
    const later = afterFailure(twoFailures, at(60_000), settings);
    assert.equal(later.failureCount, 1);
    assert.equal(later.lockLevel, 0);
    const afterLock = failMany(3, undefined, at(0));
    const muchLater = afterFailure(afterLock, at(1_000 + 60_000), settings);
    assert.deepEqual([muchLater.failureCount, muchLater.lockLevel, muchLater.lockedUntil], [1, 0, null]);
  });
});
