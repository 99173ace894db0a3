/**
 * @module
 * The contract between the host (which runs modules) and its callers (HTTP, WebSocket, SQL
 * DML, benchmarks). `Engine` owns every database: their stores, executors and module logs.
 */
import type { WasmbaseError } from '../errors.js';
import type { ConnectionId, Identity } from '../protocol/identity.js';
import type { ModuleSchema } from '../protocol/module-schema.js';
import type { BatchTx, CallChanges, ReadTx } from '../store/store-types.js';

/** One reducer call. */
export interface CallRequest {
  /** Reducer name as declared in the schema. */
  readonly reducer: string;
  /** BSATN of the reducer's parameter product. */
  readonly args: Uint8Array;
  readonly sender: Identity;
  /** Undefined (or zero) for calls without a connection. */
  readonly connectionId: ConnectionId | undefined;
  /** Set by internal callers only: lets `init`/`client_connected`/`client_disconnected` run. */
  readonly allowLifecycle?: boolean;
}

export type CallOutcome =
  | {
      readonly status: 'committed';
      readonly changes: CallChanges;
      /** Microseconds since the Unix epoch given to the reducer as `ctx.timestamp`. */
      readonly timestamp: bigint;
      readonly durationMicros: number;
    }
  | {
      readonly status: 'failed';
      /** REDUCER_FAILED (module's message), REDUCER_TRAPPED, REDUCER_TIMEOUT or REDUCER_OUT_OF_MEMORY. */
      readonly error: WasmbaseError;
      readonly timestamp: bigint;
      readonly durationMicros: number;
    };

/** A committed transaction as subscribers see it, delivered in commit order. */
export interface CommittedTx {
  readonly databaseIdentity: Identity;
  readonly reducer: string;
  readonly reducerId: number;
  readonly args: Uint8Array;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | undefined;
  readonly timestamp: bigint;
  readonly changes: CallChanges;
  /** True once the transaction is flushed to disk. */
  readonly durable: boolean;
}

export interface DatabaseInfo {
  readonly identity: Identity;
  readonly owner: Identity;
  /** sha256 of the module bytes, hex. */
  readonly moduleHash: string;
  /** sha256 of the module the database was first published with, hex. */
  readonly initialModuleHash: string;
  readonly names: readonly string[];
  readonly createdAt: bigint;
}

export interface PublishRequest {
  readonly moduleBytes: Uint8Array;
  readonly owner: Identity;
  /** Existing database (by name or identity) or a new name; undefined = new unnamed database. */
  readonly nameOrIdentity: string | undefined;
  /** Wipe data and rerun `init` when updating an existing database. */
  readonly clear: boolean;
}

export interface PublishResult {
  readonly op: 'created' | 'updated';
  readonly databaseIdentity: Identity;
  /** The name the database was published under, or null. */
  readonly domain: string | null;
}

/** What a running database offers. */
export interface DatabaseHandle {
  readonly info: DatabaseInfo;
  readonly schema: ModuleSchema;
  /** Runs a reducer; resolves after the outcome is durable (committed calls) or known (failed). */
  call(request: CallRequest): Promise<CallOutcome>;
  /** Runs `fn` on a consistent read snapshot (never blocks reducers). */
  read<T>(fn: (tx: ReadTx) => T): T;
  /**
   * Runs a host-side transaction (SQL DML, admin writes) serially with the reducers, through the
   * same commit path: `fn` gets its own BatchTx on the main thread (already inside a call);
   * throwing drops its writes. Resolves after the transaction is durable, and subscribers see it
   * like any reducer transaction (reducer name `__sql__` or the given label).
   */
  transact<T>(label: string, sender: Identity, fn: (tx: BatchTx) => T): Promise<{ readonly result: T; readonly changes: CallChanges }>;
  /** Subscribes to committed transactions in commit order; returns an unsubscribe function. */
  onCommit(listener: (tx: CommittedTx) => void): () => void;
}
