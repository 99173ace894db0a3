/**
 * @module
 * Messages and results shared by the load generator's main side and its threads.
 */
import type { ConnectionSpec } from './client-codec.js';

export interface LoadThreadConfig {
  readonly connection: ConnectionSpec;
  /** The global indexes of the clients this thread runs. */
  readonly clientIndexes: readonly number[];
  readonly totalClients: number;
  readonly inflight: number;
  /** Flattened (from, to) pairs, shared by every thread. */
  readonly pairs: Uint32Array;
  readonly accounts: number;
  readonly amount: bigint;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly opTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** Main → thread. */
export type ToThread = { readonly type: 'start'; readonly t0: number };

export interface ThreadTotals {
  /** Successful calls completed since t0 (warm-up included). */
  readonly ok: number;
  readonly failed: number;
  readonly inflight: number;
}

export interface ThreadResult extends ThreadTotals {
  readonly okInWindow: number;
  readonly failedInWindow: number;
  /** Latency histogram counts (see histogram.ts) of the calls completed in the window. */
  readonly histogram: Float64Array;
  /** Successful completions per second since t0. */
  readonly okPerSecond: Float64Array;
  /** Balance change per account implied by the successful calls. */
  readonly deltas: Int32Array;
  /** Calls that never got an answer (timed out or lost with their connection). */
  readonly unanswered: number;
  /** Failure messages (from failed calls, timeouts, connection errors) and their counts. */
  readonly errors: Readonly<Record<string, number>>;
}

/** Thread → main. */
export type FromThread =
  | { readonly type: 'ready' }
  | ({ readonly type: 'progress' } & ThreadTotals)
  | { readonly type: 'done'; readonly result: ThreadResult }
  | { readonly type: 'fatal'; readonly message: string };
