/**
 * @module
 * The clock the scheduler runs on, injected so tests can move time by hand. `systemClock` is
 * the real one: wall-clock microseconds and `setTimeout` (unref'd, so a pending schedule never
 * keeps the process alive; delays beyond `setTimeout`'s range fire early and the scheduler
 * simply re-arms).
 */

/** A pending timer. */
export interface ScheduleTimer {
  cancel(): void;
}

export interface ScheduleClock {
  /** Microseconds since the Unix epoch. */
  nowMicros(): bigint;
  /** Calls `fn` once, about `delayMs` milliseconds from now. */
  setTimer(delayMs: number, fn: () => void): ScheduleTimer;
}

/** The largest delay `setTimeout` accepts (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: ScheduleClock = {
  nowMicros: () => BigInt(Date.now()) * 1000n,
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.min(MAX_TIMEOUT_MS, Math.max(0, delayMs)));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
