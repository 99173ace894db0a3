/**
 * @module
 * The contract between the host (which runs modules) and its callers (HTTP, WebSocket, SQL
 * DML, benchmarks). `Engine` owns every database: their stores, executors and module logs.
 */
import type { ConnectionId, Identity, ModuleSchema, WasmbaseError } from '../protocol/index.js';
import type { BatchTx, CallChanges, DiskUse, ReadTx } from '../store/index.js';
import type { CallLogLine, ScheduledRun } from './batch-types.js';

/** Reducer arguments: BSATN of the parameter product, or a JSON text (array or object by name). */
export type CallArgs = Uint8Array | { readonly jsonText: string };

/** One reducer call. */
export interface CallRequest {
  /** Reducer name as declared in the schema. */
  readonly reducer: string;
  readonly args: CallArgs;
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
      /**
       * REDUCER_FAILED (module's message), REDUCER_TRAPPED, REDUCER_TIMEOUT,
       * REDUCER_OUT_OF_MEMORY, STORAGE_FAILURE, SHUTTING_DOWN or INTERNAL.
       */
      readonly error: WasmbaseError;
      readonly timestamp: bigint;
      readonly durationMicros: number;
    };

/** A call as the executor runs it (reducer resolved, arguments checked, id and timestamp given). */
export interface ExecutedCall {
  /** Unique in this server process: how consumers of published batches recognise a call. */
  readonly id: number;
  readonly reducer: string;
  /** -1 for host-side transactions (SQL DML). */
  readonly reducerId: number;
  readonly args: Uint8Array;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | undefined;
  readonly timestamp: bigint;
  /** Set for the scheduler's calls (see `ScheduledRun`). */
  readonly schedule?: ScheduledRun | undefined;
}

/** One finished call. */
export type AppliedCall =
  | {
      readonly status: 'committed';
      readonly call: ExecutedCall;
      readonly changes: CallChanges;
      readonly durationMicros: number;
      readonly logs: readonly CallLogLine[];
    }
  | {
      readonly status: 'failed';
      readonly call: ExecutedCall;
      readonly error: WasmbaseError;
      readonly durationMicros: number;
      readonly logs: readonly CallLogLine[];
    };

/**
 * Calls that finished, in execution order, published once by the executor. When any of them
 * committed, the listener runs synchronously right after the LMDB commit and before any later
 * one (a read inside it sees exactly the state after the batch); `durable` resolves once the
 * commit is on disk (it rejects if it never gets there). Batches that committed nothing carry
 * a settled `durable`.
 */
export interface PublishedBatch {
  readonly calls: readonly AppliedCall[];
  readonly durable: Promise<void>;
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

export interface ArchivePublishRequest {
  readonly archive: Uint8Array;
  readonly owner: Identity;
  readonly name: string;
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
  /**
   * Queues a reducer call after checking it (`prepareCall`: the reducer exists, is not a
   * lifecycle reducer unless allowed, and the arguments fit its parameters); throws those errors
   * synchronously. Its outcome is published once, in a `PublishedBatch`.
   */
  submit(request: CallRequest): ExecutedCall;
  /** `submit`, then the call's outcome: after it is durable (committed) or known (failed). */
  call(request: CallRequest): Promise<CallOutcome>;
  /** Runs `fn` on a consistent read snapshot (never blocks reducers). */
  read<T>(fn: (tx: ReadTx) => T): T;
  /**
   * Runs `fn` on one read snapshot that stays open until `fn` settles, so a big result can be
   * read in slices across turns of the event loop. Closing the database waits for it.
   */
  readAsync<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /**
   * Runs a host-side transaction (SQL DML, admin writes) serially with the reducers, through the
   * same commit path: `fn` gets its own BatchTx on the main thread (already inside a call);
   * throwing drops its writes. Resolves after the transaction is durable, and subscribers see it
   * like any reducer transaction (reducer name `label`).
   */
  transact<T>(
    label: string,
    sender: Identity,
    fn: (tx: BatchTx) => T,
  ): Promise<{ readonly result: T; readonly changes: CallChanges }>;
  /** Follows every published batch (see `PublishedBatch`); returns an unsubscribe function. */
  onPublished(listener: (batch: PublishedBatch) => void): () => void;
}

/** One line of a database's module log. */
export interface ModuleLogRecord {
  /** Microseconds since the Unix epoch. */
  readonly ts: bigint;
  readonly level: 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'panic';
  /** Reducer that wrote it, if any. */
  readonly reducer: string | undefined;
  /** Hex identity of the caller, if any. */
  readonly caller: string | undefined;
  readonly message: string;
}

/**
 * Owns every database of the server. Authorization (who may publish, delete, rename, read logs)
 * is decided by the caller (HTTP) from `DatabaseInfo.owner`; the engine only enforces integrity.
 */
export interface Engine {
  /** Creates or updates a database from module bytes (validated first; atomic). */
  publish(request: PublishRequest): Promise<PublishResult>;
  /** The database with this name or hex identity, or undefined. */
  resolve(nameOrIdentity: string): DatabaseHandle | undefined;
  /** Every database, or those owned by `owner`. */
  list(owner?: Identity): readonly DatabaseInfo[];
  /** Deletes a database: data removed, names freed, `onDelete` listeners told. */
  delete(identity: Identity): Promise<void>;
  /** Adds a name (NAME_INVALID / NAME_TAKEN on failure). */
  addName(identity: Identity, name: string): Promise<void>;
  /** Replaces the set of names atomically. */
  setNames(identity: Identity, names: readonly string[]): Promise<void>;
  /** The last `limit` module log records of a database, oldest first. */
  logTail(identity: Identity, limit: number): readonly ModuleLogRecord[];
  /** Follows new module log records; returns an unsubscribe function. */
  logFollow(identity: Identity, listener: (record: ModuleLogRecord) => void): () => void;
  /** Called when a database is deleted (open subscribers and log followers close). */
  onDelete(listener: (identity: Identity) => void): () => void;
  /** Called when a database's module was replaced (its handle changed; subscribers reconnect). */
  onUpdate(listener: (identity: Identity) => void): () => void;
  /**
   * One database as an archive file (manifest, module, consistent compacted snapshot);
   * LIMIT_EXCEEDED beyond `maxBytes`.
   */
  archive(identity: Identity, maxBytes: number): Promise<Uint8Array>;
  /**
   * Creates a new database named `name` owned by `owner` from an archive's module and data
   * (ARCHIVE_INVALID when damaged, NAME_TAKEN when the name is used). `init` does not run.
   */
  publishArchive(request: ArchivePublishRequest): Promise<PublishResult>;
  /** Disk use of a database's file (free pages are what `compact` gives back). */
  diskUse(identity: Identity): DiskUse;
  /**
   * Rewrites a database's file with LMDB's compacting copy while it serves: calls wait in its
   * queue during the copy, then move to the reopened database (subscribers reconnect, as after
   * a republish). Returns the disk use before and after.
   */
  compact(identity: Identity): Promise<{ readonly before: DiskUse; readonly after: DiskUse }>;
  /** Stops accepting calls, drains in-flight batches, closes stores and workers. */
  close(): Promise<void>;
}
