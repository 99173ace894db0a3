/**
 * @module
 * What one load-generator thread counts: completions per second since the start, successes and
 * failures (in the timed window and overall), the latency of calls completed in the window, the
 * balance change implied by each acknowledged transfer, calls that never got an answer, and
 * error messages with their counts. Its result crosses `postMessage` with its arrays transferred.
 */
import { LatencyHistogram } from './histogram.js';
import type { LoadThreadConfig, ThreadResult } from './load-types.js';

export class Tally {
  readonly #config: LoadThreadConfig;
  readonly #histogram = new LatencyHistogram();
  readonly #okPerSecond: Float64Array;
  readonly #deltas: Int32Array;
  readonly #errors: Record<string, number> = {};
  ok = 0;
  failed = 0;
  #okInWindow = 0;
  #failedInWindow = 0;
  #unanswered = 0;
  #t0 = 0;
  #windowStart = 0;
  #windowEnd = 0;

  constructor(config: LoadThreadConfig) {
    this.#config = config;
    this.#okPerSecond = new Float64Array(Math.ceil((config.warmupMs + config.windowMs) / 1000) + 1);
    this.#deltas = new Int32Array(config.accounts);
  }

  /** Starts the clock: warm-up from `t0`, then the timed window; returns the window's end. */
  start(t0: number): number {
    this.#t0 = t0;
    this.#windowStart = t0 + this.#config.warmupMs;
    this.#windowEnd = this.#windowStart + this.#config.windowMs;
    return this.#windowEnd;
  }

  countError(message: string): void {
    this.#errors[message] = (this.#errors[message] ?? 0) + 1;
  }

  /** Records the answer to the call on `pair` sent at `sentAt`, received at `done`. */
  answered(pair: number, sentAt: number, done: number, error: string | null): void {
    const inWindow = done >= this.#windowStart && done < this.#windowEnd;
    if (error !== null) {
      this.failed++;
      if (inWindow) this.#failedInWindow++;
      this.countError(error);
      return;
    }
    this.ok++;
    const second = Math.floor((done - this.#t0) / 1000);
    if (second >= 0 && second < this.#okPerSecond.length) this.#okPerSecond[second]! += 1;
    const amount = Number(this.#config.amount);
    this.#deltas[this.#config.pairs[pair * 2]!]! -= amount;
    this.#deltas[this.#config.pairs[pair * 2 + 1]!]! += amount;
    if (inWindow) {
      this.#okInWindow++;
      this.#histogram.record((done - sentAt) * 1000);
    }
  }

  /** `count` calls whose fate is unknown (timed out, or lost with their connection). */
  unanswered(count: number): void {
    this.#unanswered += count;
  }

  /** The totals, with `inflight` calls still outstanding. */
  result(inflight: number): { result: ThreadResult; transfer: ArrayBuffer[] } {
    const histogram = this.#histogram.counts;
    return {
      result: {
        ok: this.ok,
        failed: this.failed,
        inflight,
        okInWindow: this.#okInWindow,
        failedInWindow: this.#failedInWindow,
        histogram,
        okPerSecond: this.#okPerSecond,
        deltas: this.#deltas,
        unanswered: this.#unanswered,
        errors: this.#errors,
      },
      transfer: [
        histogram.buffer as ArrayBuffer,
        this.#okPerSecond.buffer as ArrayBuffer,
        this.#deltas.buffer as ArrayBuffer,
      ],
    };
  }
}
