/**
 * @module
 * The load generator's worker threads seen from the main side: starts one load-thread.ts per
 * share of the clients, keeps each thread's latest totals and final result, and turns every
 * thread event into a check of whatever the main side is waiting for — with a deadline, and
 * failing at once when a thread reports a fatal error, crashes or exits without a result.
 */
import { Worker } from 'node:worker_threads';
import { compiledScript } from './compiled-script.js';
import type {
  FromThread,
  LoadThreadConfig,
  ThreadResult,
  ThreadTotals,
  ToThread,
} from './load-types.js';

export class LoadThreads {
  readonly #workers: Worker[] = [];
  readonly #ready: boolean[] = [];
  readonly totals: ThreadTotals[] = [];
  readonly results: (ThreadResult | undefined)[] = [];
  #fatal: Error | undefined;
  #onEvent: () => void = () => {};

  constructor(configs: readonly LoadThreadConfig[]) {
    const script = compiledScript('load-thread');
    configs.forEach((config, t) => this.#start(t, new Worker(script, { workerData: config })));
  }

  #start(t: number, worker: Worker): void {
    this.totals.push({ ok: 0, failed: 0, inflight: 0 });
    this.results.push(undefined);
    this.#ready.push(false);
    worker.on('message', (m: FromThread) => {
      if (m.type === 'ready') this.#ready[t] = true;
      else if (m.type === 'progress') this.totals[t] = m;
      else if (m.type === 'done') this.results[t] = m.result;
      else this.#fatal ??= new Error(`load thread ${t}: ${m.message}`);
      this.#onEvent();
    });
    worker.on('error', err => {
      this.#fatal ??= err;
      this.#onEvent();
    });
    worker.on('exit', code => {
      if (this.results[t] === undefined)
        this.#fatal ??= new Error(`load thread ${t} exited (${code}) without a result`);
      this.#onEvent();
    });
    this.#workers.push(worker);
  }

  allReady(): boolean {
    return this.#ready.every(r => r);
  }

  /** Every thread's result, once all have sent theirs. */
  finished(): ThreadResult[] | undefined {
    const results: ThreadResult[] = [];
    for (const r of this.results) if (r !== undefined) results.push(r);
    return results.length === this.results.length ? results : undefined;
  }

  /** Resolves when `done()` holds; rejects on a thread failure or after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`load generator: ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#onEvent = () => {
        if (this.#fatal !== undefined) {
          clearTimeout(timer);
          reject(this.#fatal);
        } else if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.#onEvent();
    });
  }

  /** Tells every thread to start calling at `t0` (wall-clock ms). */
  start(t0: number): void {
    for (const w of this.#workers) w.postMessage({ type: 'start', t0 } satisfies ToThread);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map(w => w.terminate()));
  }
}
