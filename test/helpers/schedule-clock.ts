/**
 * A `ScheduleClock` that moves only when told: `advance(ms)` fires the timers that fall due,
 * in time order, each with the clock set to its due time.
 */
import type { ScheduleClock } from '../../runtime/host/schedule-clock.js';

interface Pending {
  readonly at: bigint;
  readonly fn: () => void;
  readonly seq: number;
  cancelled: boolean;
}

export class ManualClock implements ScheduleClock {
  #now: bigint;
  #seq = 0;
  readonly #timers: Pending[] = [];

  constructor(startMicros = 1_700_000_000_000_000n) {
    this.#now = startMicros;
  }

  nowMicros(): bigint {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): { cancel(): void } {
    const t: Pending = {
      at: this.#now + BigInt(Math.max(0, Math.ceil(delayMs))) * 1000n,
      fn,
      seq: this.#seq++,
      cancelled: false,
    };
    this.#timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter(t => !t.cancelled).length;
  }

  /** Moves the clock `ms` forward, firing due timers (at most 10,000, to stay bounded). */
  advance(ms: number): void {
    const target = this.#now + BigInt(ms) * 1000n;
    for (let fired = 0; fired < 10_000; fired++) {
      const live = this.#timers.filter(t => !t.cancelled && t.at <= target);
      if (live.length === 0) break;
      live.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
      const next = live[0]!;
      next.cancelled = true;
      if (next.at > this.#now) this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  /** Sets the clock without firing anything (the server was down). */
  jump(ms: number): void {
    this.#now += BigInt(ms) * 1000n;
  }
}
