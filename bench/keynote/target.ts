/**
 * @module
 * What the harness needs from each system under test. A target serves one run at a time on fresh
 * seeded data. Targets that speak SpacetimeDB's WebSocket protocols (wasmbase, wasmbase-sdk) list
 * the protocol versions they can be driven with, and every run names the one it uses; the
 * comparison targets (node-pg, lmdb-raw) have their own fixed wire protocol and list none.
 */
import type { ConnectionSpec } from './client-codec.js';

export const TARGET_NAMES = ['wasmbase', 'wasmbase-sdk', 'node-pg', 'lmdb-raw'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** SpacetimeDB WebSocket protocol versions (`v1.bsatn`, `v2.bsatn`, `v3.bsatn` `.spacetimedb`). */
export const PROTOCOLS = ['v1', 'v2', 'v3'] as const;
export type WasmbaseProtocol = (typeof PROTOCOLS)[number];

export interface RunSetup {
  readonly accounts: number;
  readonly initial: bigint;
  /** Most calls per write transaction (wasmbase's `--batch-max-calls`; lmdb-raw uses the same). */
  readonly batchMaxCalls: number;
  /** Where the target may write its temporary data. */
  readonly tempDir: string;
  /** Names this run in file names (e.g. `alpha-1.5-v2`). */
  readonly label: string;
  /** The protocol the clients speak; set exactly when the target lists protocols. */
  readonly protocol: WasmbaseProtocol | undefined;
  /** Write progress lines (to stderr). */
  readonly say: (line: string) => void;
}

/** A target serving one run: fresh data, seeded, reachable over WebSocket. */
export interface TargetRun {
  readonly connection: ConnectionSpec;
  /** Stops serving and returns every balance by account id (read from what is durable). */
  finish(): Promise<BigInt64Array>;
  /** Stops without checking (on failure). */
  abort(): Promise<void>;
  /** The tail of the server's output, for failure reports. */
  output(): string;
}

export interface Target {
  readonly name: TargetName;
  /** One line on how it is set up (for the report). */
  readonly description: string;
  /** The protocols its clients can speak, in preference order; empty for a fixed protocol. */
  readonly protocols: readonly WasmbaseProtocol[];
  /** Starts a server on freshly seeded data. */
  start(setup: RunSetup): Promise<TargetRun>;
  /** Releases what outlives single runs (e.g. the PostgreSQL cluster). */
  close(): Promise<void>;
}

/** Balances by id from (id, balance) rows; throws when ids are not exactly 0..n-1. */
export function balancesById(
  rows: Iterable<readonly [number, bigint]>,
  count: number,
): BigInt64Array {
  const out = new BigInt64Array(count);
  const seen = new Uint8Array(count);
  for (const [id, balance] of rows) {
    if (!Number.isInteger(id) || id < 0 || id >= count)
      throw new Error(`account id ${id} outside 0..${count - 1}`);
    if (seen[id] === 1) throw new Error(`account id ${id} appears twice`);
    seen[id] = 1;
    out[id] = balance;
  }
  return out;
}
