/**
 * @module
 * The result file's shape (bench/results/keynote.json). Version 2 added `protocol` to runs (the
 * WebSocket protocol of a wasmbase run; absent for node-pg and lmdb-raw) and `protocols` to the
 * options.
 */
import type { CheckResult } from './check.js';
import type { LatencySummary } from './load.js';
import type { TargetName, WasmbaseProtocol } from './target.js';

export interface RunRecord {
  readonly alpha: number;
  readonly target: TargetName;
  /** The clients' protocol, for targets that speak SpacetimeDB's. */
  readonly protocol?: WasmbaseProtocol;
  readonly status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  readonly reason?: string;
  readonly tps?: number;
  readonly okInWindow?: number;
  readonly failedInWindow?: number;
  readonly unanswered?: number;
  readonly latency?: LatencySummary;
  /** Successful calls per second; the first `warmupSeconds` entries are warm-up. */
  readonly perSecond?: readonly number[];
  readonly warmupSeconds?: number;
  readonly errors?: Readonly<Record<string, number>>;
  readonly check?: CheckResult;
}

export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgres?: string;
  /** 1-minute load average at the start and end (other work on the machine skews results). */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export interface KeynoteReport {
  readonly version: 2;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly machine: Machine;
  readonly options: Readonly<Record<string, unknown>>;
  readonly targets: readonly { readonly name: TargetName; readonly description: string }[];
  readonly runs: readonly RunRecord[];
}
