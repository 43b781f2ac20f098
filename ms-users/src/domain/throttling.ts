import type { ThrottleState } from './ports.js';

export interface ThrottleSettings {
  maxFailures: number;
  failureWindowMs: number;
  initialLockMs: number;
  maxLockMs: number;
}

/**
 * The key failed log-ins are counted under: the account's username when the login names an
 * account (so its username and email share one budget), otherwise the login as typed,
 * lowercased — unknown names are throttled the same way, so throttling does not tell
 * which names exist.
 */
export function throttleKey(login: string, accountUsername?: string): string {
  return (accountUsername ?? login).trim().toLowerCase();
}

/** Milliseconds until the key may try again; 0 when it is not locked. */
export function lockRemainingMs(state: ThrottleState | undefined, now: Date): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, state.lockedUntil.getTime() - now.getTime());
}

/** Whether the state is old enough to forget: no failure (or lock) within the window. */
function isStale(state: ThrottleState, now: Date, settings: ThrottleSettings): boolean {
  const lastEvent = state.lockedUntil ?? state.firstFailureAt;
  return now.getTime() - lastEvent.getTime() >= settings.failureWindowMs;
}

/**
 * The state after one more failed attempt. Reaching maxFailures within the window locks the
 * key; each further lock doubles (capped at maxLockMs). After a lock ends the count stays at
 * the limit, so the next failure locks again at once — until a window passes quietly or the
 * owner logs in, either of which forgets everything. Locks always end by themselves.
 */
export function afterFailure(
  current: ThrottleState | undefined,
  now: Date,
  settings: ThrottleSettings,
): ThrottleState {
  const base: ThrottleState =
    current === undefined || isStale(current, now, settings)
      ? { failureCount: 0, firstFailureAt: now, lockedUntil: null, lockLevel: 0 }
      : current;
  const failureCount = base.failureCount + 1;
  if (failureCount < settings.maxFailures) return { ...base, failureCount };
  const lockMs = Math.min(settings.maxLockMs, settings.initialLockMs * 2 ** Math.min(base.lockLevel, 30));
  return {
    failureCount,
    firstFailureAt: base.firstFailureAt,
    lockedUntil: new Date(now.getTime() + lockMs),
    lockLevel: base.lockLevel + 1,
  };
}
