/**
 * @module
 * The subscription engine's public vocabulary (what the WebSocket server works with) and the
 * compiled plan behind each query (internal to this folder).
 */
import type {
  AlgebraicType,
  AlgebraicValue,
  IndexSchema,
  ModuleSchema,
  TableSchema,
  WasmbaseError,
} from '../protocol/index.js';
import type { BoundExpr, BoundSelect, BoundSource, Tuple } from '../sql/index.js';

/** A subscription query, compiled against one module schema. */
export interface CompiledSubscription {
  /**
   * Canonical text (the normalized query) — identical queries from different clients share one
   * key.
   */
  readonly key: string;
  /** The text as the client wrote it. */
  readonly sql: string;
  /** The table whose whole rows the query returns. */
  readonly tableId: number;
  readonly tableName: string;
}

/** One shared query: evaluated once per transaction no matter how many subscribers. */
export interface SharedQuery<S> {
  readonly query: CompiledSubscription;
  readonly subscribers: ReadonlySet<S>;
}

/**
 * What one transaction changed in one shared query's result, as multisets of BSATN rows of
 * `query.tableId`. When `error` is set (the delta crossed the row limit), both lists are empty:
 * the query's subscribers can no longer be kept up to date and should be told and dropped.
 */
export interface QueryDelta<S> {
  readonly shared: SharedQuery<S>;
  readonly inserts: readonly Uint8Array[];
  readonly deletes: readonly Uint8Array[];
  readonly error?: WasmbaseError;
}

/** Limits of one evaluation. */
export interface EvaluateOptions {
  /**
   * Most rows one initial evaluation or one delta may produce, and most partial join results
   * held at any step (SQL_ROW_LIMIT beyond). Default `DEFAULT_SUBSCRIPTION_ROW_LIMIT`.
   */
  readonly maxRows?: number;
}

/**
 * Paces an initial evaluation read in slices: `add` takes each row read (its bytes when it is
 * returned, else 0) and returns a promise to await at the end of a slice; `count` takes bytes
 * without ending a slice. Either throws to stop the evaluation (a byte limit).
 */
export interface EvaluatePace {
  add(bytes: number): Promise<void> | undefined;
  count(bytes: number): void;
}

/**
 * The default of `EvaluateOptions.maxRows` (the same as the server's `--sql-row-limit` default).
 */
export const DEFAULT_SUBSCRIPTION_ROW_LIMIT = 100_000;

/** Most tables one subscription query may join (each adds a term to every delta). */
export const MAX_SUBSCRIPTION_TABLES = 16;

// ---- internal: the compiled plan -----------------------------------------------------------

export type Predicate = (t: Tuple) => boolean | null;

/** Joining source `target` to a bound source by an index lookup on its join column. */
export interface ProbeStep {
  readonly target: number;
  /** The already-bound source and column whose value is looked up. */
  readonly from: number;
  readonly fromColumn: number;
  /** True when the `from` column is an Option (NULL matches nothing). */
  readonly fromOptional: boolean;
  /** The index of the target table whose first column is the join column. */
  readonly index: IndexSchema;
  /** The target join column's type (the key is encoded with it; an Option wraps the value). */
  readonly keyType: AlgebraicType;
  readonly keyOptional: boolean;
  /** Cross-source conditions that become checkable once `target` is bound. */
  readonly filters: readonly Predicate[];
}

/** A column pinned to a constant by a top-level `col = literal` (used for pruning). */
export interface Pin {
  readonly column: number;
  /** The constant (an Option column's payload). */
  readonly value: AlgebraicValue;
  /** BSATN of the column value the pin requires, as a string key (see `bytesKey`). */
  readonly valueKey: string;
}

export interface SourcePlan {
  readonly source: BoundSource;
  readonly table: TableSchema;
  readonly rowType: AlgebraicType;
  /** Conjuncts that read only this source (index access for the initial evaluation). */
  readonly localConjuncts: readonly BoundExpr[];
  readonly localFilter: Predicate | undefined;
  readonly pin: Pin | undefined;
}

export interface QueryPlan {
  readonly schema: ModuleSchema;
  readonly statement: BoundSelect;
  readonly sources: readonly SourcePlan[];
  /** The source whose rows the query returns. */
  readonly returned: number;
  /** A constant conjunct is false or unknown: the result is always empty. */
  readonly never: boolean;
  /** For each start source: the probe steps that reach every other source from it. */
  readonly orders: readonly (readonly ProbeStep[])[];
  /** The distinct tables the query reads. */
  readonly tableIds: readonly number[];
}
