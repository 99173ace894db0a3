/**
 * @module
 * The load generator's main side: spreads the clients over worker threads (load-thread.ts),
 * starts them together, reports progress once a second, and merges their results into one
 * measurement: TPS over the timed window, latency percentiles, the per-second series, and the
 * balance changes implied by the acknowledged transfers.
 */
import type { ConnectionSpec } from './client-codec.js';
import { LatencyHistogram } from './histogram.js';
import { LoadThreads } from './load-threads.js';
import type { LoadThreadConfig, ThreadResult, ThreadTotals } from './load-types.js';

export interface LoadOptions {
  readonly connection: ConnectionSpec;
  readonly clients: number;
  readonly inflight: number;
  /** Worker threads the clients are spread over. */
  readonly threads: number;
  readonly pairs: Uint32Array;
  readonly accounts: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly opTimeoutMs: number;
}

export interface Progress {
  /** Seconds since the start (warm-up included). */
  readonly second: number;
  readonly warmingUp: boolean;
  /** Successful calls in the last second. */
  readonly tps: number;
  readonly ok: number;
  readonly failed: number;
  readonly inflight: number;
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

export interface LoadResult {
  readonly tps: number;
  readonly okInWindow: number;
  readonly failedInWindow: number;
  readonly ok: number;
  readonly failed: number;
  readonly unanswered: number;
  readonly latency: LatencySummary;
  /** Successful calls per second since the start; the first `warmupSeconds` are warm-up. */
  readonly perSecond: number[];
  readonly warmupSeconds: number;
  readonly errors: Readonly<Record<string, number>>;
  /** Balance change per account implied by the acknowledged transfers. */
  readonly deltas: Int32Array;
}

const AMOUNT = 1n;
const CONNECT_TIMEOUT_MS = 30_000;

function threadConfigs(options: LoadOptions): LoadThreadConfig[] {
  const threads = Math.max(1, Math.min(options.threads, options.clients));
  return Array.from({ length: threads }, (_, t) => ({
    connection: options.connection,
    clientIndexes: Array.from({ length: options.clients }, (_, i) => i).filter(
      i => i % threads === t,
    ),
    totalClients: options.clients,
    inflight: options.inflight,
    pairs: options.pairs,
    accounts: options.accounts,
    amount: AMOUNT,
    warmupMs: options.warmupMs,
    windowMs: options.windowMs,
    opTimeoutMs: options.opTimeoutMs,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  }));
}

/** Reports the threads' summed totals once a second; returns the function that stops it. */
function reportEverySecond(
  threads: LoadThreads,
  warmupMs: number,
  onProgress: (p: Progress) => void,
): () => void {
  let lastOk = 0;
  let second = 0;
  const ticker = setInterval(() => {
    second++;
    const sum = (field: keyof ThreadTotals) => threads.totals.reduce((n, x) => n + x[field], 0);
    const ok = sum('ok');
    onProgress({
      second,
      warmingUp: second * 1000 <= warmupMs,
      tps: ok - lastOk,
      ok,
      failed: sum('failed'),
      inflight: sum('inflight'),
    });
    lastOk = ok;
  }, 1000);
  return () => clearInterval(ticker);
}

export async function runLoad(
  options: LoadOptions,
  onProgress: (p: Progress) => void = () => {},
): Promise<LoadResult> {
  const threads = new LoadThreads(threadConfigs(options));
  try {
    await threads.until(
      () => threads.allReady(),
      CONNECT_TIMEOUT_MS + 5_000,
      `${options.clients} clients did not connect`,
    );
    threads.start(performance.timeOrigin + performance.now() + 100);
    const stopReporting = reportEverySecond(threads, options.warmupMs, onProgress);
    try {
      await threads.until(
        () => threads.finished() !== undefined,
        options.warmupMs + options.windowMs + options.opTimeoutMs + 30_000,
        'threads did not finish',
      );
    } finally {
      stopReporting();
    }
  } finally {
    await threads.terminate();
  }
  return merge(threads.finished()!, options);
}

function merge(results: readonly ThreadResult[], options: LoadOptions): LoadResult {
  const histogram = new LatencyHistogram();
  const deltas = new Int32Array(options.accounts);
  const errors: Record<string, number> = {};
  let perSecond: number[] = [];
  let okInWindow = 0;
  let failedInWindow = 0;
  let ok = 0;
  let failed = 0;
  let unanswered = 0;
  for (const r of results) {
    histogram.merge(r.histogram);
    for (let i = 0; i < deltas.length; i++) deltas[i]! += r.deltas[i]!;
    for (const [message, n] of Object.entries(r.errors))
      errors[message] = (errors[message] ?? 0) + n;
    if (perSecond.length < r.okPerSecond.length)
      perSecond = perSecond.concat(
        new Array<number>(r.okPerSecond.length - perSecond.length).fill(0),
      );
    r.okPerSecond.forEach((n, i) => (perSecond[i]! += n));
    okInWindow += r.okInWindow;
    failedInWindow += r.failedInWindow;
    ok += r.ok;
    failed += r.failed;
    unanswered += r.unanswered;
  }
  // The series covers warm-up + window; drop the drain second(s) after it.
  perSecond = perSecond.slice(0, Math.ceil((options.warmupMs + options.windowMs) / 1000));
  const ms = (micros: number) => micros / 1000;
  return {
    tps: okInWindow / (options.windowMs / 1000),
    okInWindow,
    failedInWindow,
    ok,
    failed,
    unanswered,
    latency: {
      p50Ms: ms(histogram.percentile(50)),
      p95Ms: ms(histogram.percentile(95)),
      p99Ms: ms(histogram.percentile(99)),
      meanMs: ms(histogram.mean()),
      maxMs: ms(histogram.maxMicros()),
    },
    perSecond,
    warmupSeconds: Math.round(options.warmupMs / 1000),
    errors,
    deltas,
  };
}
