/**
 * @module
 * The registry of subscribed queries of one database: identical queries (same key) are one
 * shared query evaluated once per transaction, and a transaction evaluates only the queries it
 * can affect.
 *
 * Pruning: for each table a query reads, the query is filed either under the table (it must be
 * evaluated whenever the table changes) or, when every source reading that table pins a column
 * to a constant (`t.c = 5` at the top level of WHERE/ON), under (table, column, value) for each
 * such source. A change set then selects the queries filed under its tables plus those whose
 * pinned values appear in its changed rows (inserted or deleted). This is exact for the pinned
 * source: a changed row without the pinned value fails that source's own condition, so its
 * delta term is empty.
 */
import {
  encodeToBytes,
  WasmbaseError,
  type AlgebraicValue,
  type ModuleSchema,
} from '../protocol/index.js';
import type { CallChanges, TableChanges, TableReader } from '../store/index.js';
import { BatchStates } from './batch-states.js';
import { deltaOf } from './query-eval.js';
import { planOf } from './subscription-compile.js';
import { bytesKey } from './row-keys.js';
import {
  DEFAULT_SUBSCRIPTION_ROW_LIMIT,
  type CompiledSubscription,
  type QueryDelta,
  type QueryPlan,
  type SharedQuery,
} from './subscription-types.js';

export interface RegistryOptions {
  /** Most rows one delta may produce (see `EvaluateOptions.maxRows`). */
  readonly maxRows?: number;
  /**
   * What a query whose delta fails (SQL_ROW_LIMIT) does to `evaluateBatch`: `'throw'` (the
   * default) fails the whole batch evaluation; `'per-query'` returns the failure as that query's
   * `QueryDelta.error` and evaluates the other queries as usual.
   */
  readonly errors?: 'throw' | 'per-query';
}

interface Entry<S> {
  readonly shared: SharedQuery<S>;
  readonly subscribers: Set<S>;
  readonly plan: QueryPlan;
  /** Where the entry is filed, to unfile it with its last subscriber. */
  readonly filed: readonly {
    readonly tableId: number;
    readonly column: number | undefined;
    readonly valueKey: string;
  }[];
}

interface TableRoutes<S> {
  /** Queries to evaluate whenever the table changes. */
  readonly always: Set<Entry<S>>;
  /** By pinned column, then by the BSATN (as a key) of the pinned value. */
  readonly pinned: Map<number, Map<string, Set<Entry<S>>>>;
}

export class SubscriptionRegistry<S> {
  readonly #byKey = new Map<string, Entry<S>>();
  readonly #routes = new Map<number, TableRoutes<S>>();
  readonly #maxRows: number;
  readonly #perQueryErrors: boolean;
  #evaluations = 0;

  constructor(
    readonly schema: ModuleSchema,
    options: RegistryOptions = {},
  ) {
    this.#maxRows = options.maxRows ?? DEFAULT_SUBSCRIPTION_ROW_LIMIT;
    this.#perQueryErrors = options.errors === 'per-query';
  }

  /** Number of shared queries. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Query evaluations `evaluateBatch` has run so far (one per affected shared query per call). */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Adds a subscriber to the shared query with `query.key` (created on first use). */
  add(query: CompiledSubscription, subscriber: S): SharedQuery<S> {
    let entry = this.#byKey.get(query.key);
    if (entry === undefined) {
      const plan = planOf(query);
      if (plan.schema !== this.schema)
        throw new WasmbaseError(
          'INVALID_ARGUMENT',
          'the query was compiled against another module schema than this registry’s: ' +
            'compile it again',
        );
      const subscribers = new Set<S>();
      entry = {
        shared: Object.freeze({ query, subscribers }),
        subscribers,
        plan,
        filed: filing(plan),
      };
      for (const f of entry.filed) this.#file(entry, f.tableId, f.column, f.valueKey);
      this.#byKey.set(query.key, entry);
    }
    entry.subscribers.add(subscriber);
    return entry.shared;
  }

  /** Removes a subscriber; the shared query is dropped with its last subscriber. */
  remove(query: CompiledSubscription, subscriber: S): void {
    const entry = this.#byKey.get(query.key);
    if (entry === undefined || !entry.subscribers.delete(subscriber) || entry.subscribers.size > 0)
      return;
    this.#byKey.delete(query.key);
    for (const f of entry.filed) this.#unfile(entry, f.tableId, f.column, f.valueKey);
  }

  #file(entry: Entry<S>, tableId: number, column: number | undefined, valueKey: string): void {
    let routes = this.#routes.get(tableId);
    if (routes === undefined)
      this.#routes.set(tableId, (routes = { always: new Set(), pinned: new Map() }));
    if (column === undefined) {
      routes.always.add(entry);
      return;
    }
    let byValue = routes.pinned.get(column);
    if (byValue === undefined) routes.pinned.set(column, (byValue = new Map()));
    let set = byValue.get(valueKey);
    if (set === undefined) byValue.set(valueKey, (set = new Set()));
    set.add(entry);
  }

  #unfile(entry: Entry<S>, tableId: number, column: number | undefined, valueKey: string): void {
    const routes = this.#routes.get(tableId);
    if (routes === undefined) return;
    if (column === undefined) routes.always.delete(entry);
    else {
      const byValue = routes.pinned.get(column);
      const set = byValue?.get(valueKey);
      set?.delete(entry);
      if (set !== undefined && set.size === 0) byValue!.delete(valueKey);
      if (byValue !== undefined && byValue.size === 0) routes.pinned.delete(column);
    }
    if (routes.always.size === 0 && routes.pinned.size === 0) this.#routes.delete(tableId);
  }

  /** The shared queries one call's changes can affect, in a stable order. */
  #affected(changes: readonly TableChanges[], states: BatchStates): Set<Entry<S>> {
    const out = new Set<Entry<S>>();
    for (const tc of changes) {
      const routes = this.#routes.get(tc.tableId);
      if (routes === undefined) continue;
      for (const e of routes.always) out.add(e);
      if (routes.pinned.size === 0) continue;
      const table = this.schema.tables[tc.tableId]!;
      for (const rows of [tc.inserts, tc.deletes]) {
        for (const raw of rows) {
          const values = states.decode(tc.tableId, raw);
          for (const [column, byValue] of routes.pinned) {
            const hit = byValue.get(
              bytesKey(
                encodeToBytes(table.columns[column]!.type, values[column] as AlgebraicValue),
              ),
            );
            if (hit !== undefined) for (const e of hit) out.add(e);
          }
        }
      }
    }
    return out;
  }

  /**
   * The deltas of one committed batch. `calls[i]` is the net change set of the i-th committed
   * transaction of the batch, in commit order; `after` is a read snapshot of the state after the
   * whole batch. Returns, per call (same indexes), the non-empty deltas of the affected shared
   * queries (deletes = rows that left, inserts = rows that entered, as multisets; an update of a
   * row is its old row deleted and its new row inserted).
   */
  evaluateBatch(calls: readonly CallChanges[], after: TableReader): QueryDelta<S>[][] {
    if (this.#byKey.size === 0) return calls.map(() => []);
    const states = new BatchStates(this.schema, calls, after);
    return calls.map((call, c) => {
      const changes = call.filter(tc => tc.inserts.length > 0 || tc.deletes.length > 0);
      if (changes.length === 0) return [];
      const byTable = new Map(changes.map(tc => [tc.tableId, tc]));
      const out: QueryDelta<S>[] = [];
      for (const entry of this.#affected(changes, states)) {
        this.#evaluations++;
        try {
          const { inserts, deletes } = deltaOf(entry.plan, byTable, c, states, this.#maxRows);
          if (inserts.length > 0 || deletes.length > 0)
            out.push({ shared: entry.shared, inserts, deletes });
        } catch (err) {
          if (!this.#perQueryErrors || !(err instanceof WasmbaseError)) throw err;
          out.push({ shared: entry.shared, inserts: [], deletes: [], error: err });
        }
      }
      return out;
    });
  }
}

/** Where a query is filed: per table it reads, under the table or under its pinned values. */
function filing(plan: QueryPlan): Entry<unknown>['filed'] {
  if (plan.never) return [];
  const out: { tableId: number; column: number | undefined; valueKey: string }[] = [];
  for (const tableId of plan.tableIds) {
    const sources = plan.sources.filter(s => s.table.id === tableId);
    if (sources.every(s => s.pin !== undefined)) {
      for (const s of sources) {
        if (
          !out.some(
            f =>
              f.tableId === tableId && f.column === s.pin!.column && f.valueKey === s.pin!.valueKey,
          )
        ) {
          out.push({ tableId, column: s.pin!.column, valueKey: s.pin!.valueKey });
        }
      }
    } else out.push({ tableId, column: undefined, valueKey: '' });
  }
  return out;
}
