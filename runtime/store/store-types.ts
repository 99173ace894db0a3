/**
 * @module
 * The contract of the table store. Rows are stored as their BSATN bytes; keys are BSATN of
 * the key columns (see `runtime/host/README.md`); everything crossing this interface is BSATN.
 *
 * Two sides use it:
 * - worker threads run reducers against a `BatchTx`: a read snapshot plus an in-memory overlay,
 *   with per-call savepoints, that never takes the LMDB write lock. `finish()` turns the kept
 *   writes into a transferable `WriteSet`.
 * - the main thread applies a `WriteSet` in one short synchronous LMDB write transaction
 *   (`DatabaseStore.commit`) and acknowledges callers once the returned `durable` promise
 *   resolves (flushed to disk).
 * SQL and HTTP read through `ReadTx` snapshots that never block writers.
 */

/** One bound of a range over one key column: BSATN of that column's value. */
export type KeyBound =
  | { readonly kind: 'included'; readonly value: Uint8Array }
  | { readonly kind: 'excluded'; readonly value: Uint8Array }
  | { readonly kind: 'unbounded' };

/** A range over an index: equal on the first `prefixElems` columns, bounded on the next one. */
export interface IndexRange {
  /** BSATN of the first `prefixElems` key column values, concatenated. */
  readonly prefix: Uint8Array;
  readonly prefixElems: number;
  readonly start: KeyBound;
  readonly end: KeyBound;
}

/** How a lazy read walks its rows. */
export interface ReadOptions {
  /** Walk backwards (descending key order). */
  readonly reverse?: boolean;
  /** Read at most this many rows (a non-negative safe integer); all when absent. */
  readonly limit?: number;
}

/** Read access to one consistent snapshot of a database. */
export interface TableReader {
  /** Number of rows in a table. */
  count(tableId: number): number;
  /** Every row of a table as a snapshot array, in primary-key order (else insertion order). */
  scan(tableId: number): Uint8Array[];
  /** The row whose unique-index key equals `key` (BSATN of the key columns), if any. */
  findUnique(indexId: number, key: Uint8Array): Uint8Array | undefined;
  /** Rows whose index key equals `key`, in index order. */
  scanIndexPoint(indexId: number, key: Uint8Array): Uint8Array[];
  /** Rows within `range`, in index order (`reverse` walks it backwards). */
  scanIndexRange(indexId: number, range: IndexRange, reverse?: boolean): Uint8Array[];
  /*
   * Lazy reads: the rows of `scan`, `scanIndexPoint` and `scanIndexRange` in the same order
   * (reversed with `reverse`), fetched from the store only as the consumer pulls them, so a
   * consumer that stops early (LIMIT) reads no further. Arguments are checked when called;
   * rows are read while iterating, which must happen while the snapshot is open and with no
   * writes through the same transaction in between. Leaving a `for…of` early releases the
   * cursor. Optional so that other implementations of this contract keep compiling: callers use
   * `lazyScan`, `lazyIndexPoint` and `lazyIndexRange`, which fall back to the array methods.
   */
  iterateScan?(tableId: number, options?: ReadOptions): Iterable<Uint8Array>;
  iterateIndexPoint?(indexId: number, key: Uint8Array, options?: ReadOptions): Iterable<Uint8Array>;
  iterateIndexRange?(
    indexId: number,
    range: IndexRange,
    options?: ReadOptions,
  ): Iterable<Uint8Array>;
}

/** A read snapshot. Release it with `close()` (snapshots pin old pages). */
export interface ReadTx extends TableReader {
  close(): void;
}

/** The rows one call inserted and deleted, per table, as BSATN (net: insert+delete cancel). */
export interface TableChanges {
  readonly tableId: number;
  readonly inserts: readonly Uint8Array[];
  readonly deletes: readonly Uint8Array[];
}
export type CallChanges = readonly TableChanges[];

/**
 * The kept writes of a batch, ready for one commit. Plain data (structured-clonable; its
 * buffers may be transferred between threads).
 */
export interface WriteSet {
  /** Opaque encoded operations (puts and deletes of store keys), applied in order. */
  readonly ops: Uint8Array;
  readonly opCount: number;
}

/**
 * The writable view a worker runs a batch of calls in. All methods throw `WasmbaseError` with
 * codes UNIQUE_VIOLATION, ROW_NOT_FOUND, ROW_INVALID, KEY_TOO_LARGE, SEQUENCE_OVERFLOW,
 * LIMIT_EXCEEDED, INVALID_ARGUMENT (bad table/index id) so the host can map them to errnos.
 * Where a code alone does not say which errno applies, `details.errno` names it (an ABI errno
 * name such as `ROW_TOO_LARGE` or `NO_SUCH_TABLE`); the host never reads the message text.
 */
export interface BatchTx extends TableReader {
  /** Starts a call: its writes can later be kept or dropped on their own. */
  beginCall(): void;
  /** Keeps the current call's writes and returns what it changed. */
  commitCall(): CallChanges;
  /** Drops the current call's writes (and sequence values it drew are not reused). */
  rollbackCall(): void;
  /** Inserts a row; fills auto-increment columns holding 0; returns the stored row. */
  insert(tableId: number, row: Uint8Array): Uint8Array;
  /** Replaces the row with the same primary key; returns the stored row. */
  update(tableId: number, row: Uint8Array): Uint8Array;
  /** Deletes the row byte-equal to `row`; true if one was deleted. */
  deleteRow(tableId: number, row: Uint8Array): boolean;
  /** Deletes rows whose index key equals `key`; returns how many. */
  deleteIndexPoint(indexId: number, key: Uint8Array): number;
  /** Deletes rows in `range`; returns how many. */
  deleteIndexRange(indexId: number, range: IndexRange): number;
  /** Ends the batch: the writes of every kept call, in order, as one write set. */
  finish(): WriteSet;
  /** Releases the snapshot without producing a write set. */
  abandon(): void;
}

/** What an automatic migration changes in one table's storage. */
export interface TableMigrationSpec {
  readonly table: string;
  /** BSATN appended to every row (defaults of new trailing columns); empty for none. */
  readonly appendedDefaults: Uint8Array;
  /** Names of indexes to build from the existing rows, and to drop. */
  readonly addIndexes: readonly string[];
  readonly dropIndexes: readonly string[];
}
