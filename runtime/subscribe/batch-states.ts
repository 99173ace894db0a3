/**
 * @module
 * The state of the database after each call of a committed batch, as overlays of the one
 * snapshot that exists (the state after the whole batch).
 *
 * Only rows that some call of the batch inserted or deleted can differ between those states.
 * For each such row (by its bytes) the batch's events are kept in call order; the row is
 * present in state `s` (after `s` calls) iff the first event at or after call `s` is a delete,
 * or, with no such event, iff it is present at the end (its last event was an insert). A
 * reader of state `s` therefore answers every lookup from the snapshot, drops the touched rows
 * absent in `s`, and adds the touched rows present in `s` but not at the end.
 *
 * Results come in the store's order (index key, then primary key) except that rows of tables
 * without a primary key that an overlay adds back come after the snapshot's rows.
 */
import { BsatnReader, decodeFromBytes, encodeToBytes, skipValue } from '../protocol/index.js';
import type {
  AlgebraicType,
  AlgebraicValue,
  IndexSchema,
  ModuleSchema,
  TableSchema,
} from '../protocol/index.js';
import type { CallChanges, IndexRange, KeyBound, TableReader } from '../store/index.js';
import { compareValues } from '../sql/index.js';
import { bytesKey } from './row-keys.js';

interface Touched {
  readonly raw: Uint8Array;
  readonly values: readonly AlgebraicValue[];
  /** Calls (by index in the batch) that inserted (true) or deleted (false) this row, in order. */
  readonly calls: number[];
  readonly inserted: boolean[];
}

/** Touched rows of one index: by the BSATN of each key prefix (1..n columns). */
interface IndexKeys {
  readonly byFull: Map<string, Touched[]>;
  readonly byLead: Map<string, Touched[]>;
  readonly prefixes: Map<Touched, string[]>;
}

class TableHistory {
  readonly rows = new Map<string, Touched>();
  readonly #indexes = new Map<number, IndexKeys>();

  constructor(
    readonly table: TableSchema,
    readonly rowType: AlgebraicType,
  ) {}

  keysOf(index: IndexSchema): IndexKeys {
    let keys = this.#indexes.get(index.id);
    if (keys !== undefined) return keys;
    keys = { byFull: new Map(), byLead: new Map(), prefixes: new Map() };
    const types = index.columns.map(c => this.table.columns[c]!.type);
    for (const t of this.rows.values()) {
      const parts: string[] = [];
      let acc = '';
      index.columns.forEach((c, i) => {
        acc += bytesKey(encodeToBytes(types[i]!, t.values[c]!));
        parts.push(acc);
      });
      keys.prefixes.set(t, parts);
      push(keys.byLead, parts[0]!, t);
      push(keys.byFull, parts[parts.length - 1]!, t);
    }
    this.#indexes.set(index.id, keys);
    return keys;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** True when the touched row is present after `state` calls of the batch. */
function presentIn(t: Touched, state: number): boolean {
  // The first event at or after call `state` (binary search: a hot row may have one per call).
  let lo = 0;
  let hi = t.calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.calls[mid]! >= state) hi = mid;
    else lo = mid + 1;
  }
  return lo < t.calls.length ? !t.inserted[lo]! : t.inserted[t.inserted.length - 1]!;
}

function presentAtEnd(t: Touched): boolean {
  return t.inserted[t.inserted.length - 1]!;
}

const rowTypeOf = (t: TableSchema): AlgebraicType => ({
  tag: 'Product',
  elements: t.rowType.elements,
});

/** Every state of one committed batch: `reader(0)` before it, `reader(i + 1)` after call `i`. */
export class BatchStates {
  /** Built on first use: only tables some query reads pay for their history. */
  readonly #tables = new Map<number, TableHistory | null>();
  readonly #readers = new Map<number, TableReader>();
  readonly #decoded = new WeakMap<Uint8Array, readonly AlgebraicValue[]>();
  readonly #rowTypes: AlgebraicType[];

  constructor(
    readonly schema: ModuleSchema,
    readonly calls: readonly CallChanges[],
    readonly after: TableReader,
  ) {
    this.#rowTypes = schema.tables.map(rowTypeOf);
  }

  #build(tableId: number): TableHistory | null {
    const table = this.schema.tables[tableId];
    if (table === undefined) return null;
    let h: TableHistory | null = null;
    this.calls.forEach((call, c) => {
      for (const tc of call) {
        if (tc.tableId !== tableId) continue;
        h ??= new TableHistory(table, this.#rowTypes[tableId]!);
        for (const raw of tc.inserts) this.#event(h, raw, c, true);
        for (const raw of tc.deletes) this.#event(h, raw, c, false);
      }
    });
    return h;
  }

  #event(h: TableHistory, raw: Uint8Array, call: number, inserted: boolean): void {
    const k = bytesKey(raw);
    let t = h.rows.get(k);
    if (t === undefined)
      h.rows.set(k, (t = { raw, values: this.decode(h.table.id, raw), calls: [], inserted: [] }));
    t.calls.push(call);
    t.inserted.push(inserted);
  }

  /** The decoded values of a row of `tableId` (cached per byte array object). */
  decode(tableId: number, raw: Uint8Array): readonly AlgebraicValue[] {
    let v = this.#decoded.get(raw);
    if (v === undefined)
      this.#decoded.set(
        raw,
        (v = decodeFromBytes(this.#rowTypes[tableId]!, raw) as AlgebraicValue[]),
      );
    return v;
  }

  /** The batch's events on the rows of a table; undefined when no call changed it. */
  history(tableId: number): TableHistory | undefined {
    let h = this.#tables.get(tableId);
    if (h === undefined) this.#tables.set(tableId, (h = this.#build(tableId)));
    return h ?? undefined;
  }

  /** A reader of the state after `state` calls (0 = before the batch; `calls.length` = `after`). */
  reader(state: number): TableReader {
    if (state >= this.calls.length) return this.after;
    let r = this.#readers.get(state);
    if (r === undefined) this.#readers.set(state, (r = new StateReader(this, state)));
    return r;
  }
}

/** A `TableReader` of one state of a batch (see the module comment). */
export class StateReader implements TableReader {
  constructor(
    readonly states: BatchStates,
    readonly state: number,
  ) {}

  get #base(): TableReader {
    return this.states.after;
  }

  /** Snapshot rows present in this state. */
  #keep(h: TableHistory, rows: readonly Uint8Array[]): Uint8Array[] {
    return rows.filter(raw => {
      const t = h.rows.get(bytesKey(raw));
      return t === undefined || presentIn(t, this.state);
    });
  }

  /** Touched rows present in this state that the snapshot does not have. */
  #added(rows: Iterable<Touched>): Touched[] {
    const out: Touched[] = [];
    for (const t of rows) if (!presentAtEnd(t) && presentIn(t, this.state)) out.push(t);
    return out;
  }

  count(tableId: number): number {
    const h = this.states.history(tableId);
    let n = this.#base.count(tableId);
    if (h === undefined) return n;
    for (const t of h.rows.values()) {
      const now = presentIn(t, this.state);
      if (now !== presentAtEnd(t)) n += now ? 1 : -1;
    }
    return n;
  }

  scan(tableId: number): Uint8Array[] {
    const h = this.states.history(tableId);
    const base = this.#base.scan(tableId);
    if (h === undefined) return base;
    const added = this.#added(h.rows.values());
    const kept = this.#keep(h, base);
    if (added.length === 0) return kept;
    const pk = h.table.primaryKey;
    if (pk === undefined) return [...kept, ...added.map(t => t.raw)];
    const type = h.table.columns[pk]!.type;
    return this.#merge(h, kept, added, (a, b) => compareValues(type, a[pk]!, b[pk]!));
  }

  /** Merges the kept snapshot rows with added rows in `cmp` order. */
  #merge(
    h: TableHistory,
    kept: Uint8Array[],
    added: Touched[],
    cmp: (a: readonly AlgebraicValue[], b: readonly AlgebraicValue[]) => number,
  ): Uint8Array[] {
    const all = [
      ...kept.map(raw => ({ raw, values: this.states.decode(h.table.id, raw) })),
      ...added,
    ];
    all.sort((a, b) => cmp(a.values, b.values));
    return all.map(x => x.raw);
  }

  #indexOrder(
    h: TableHistory,
    index: IndexSchema,
  ): (a: readonly AlgebraicValue[], b: readonly AlgebraicValue[]) => number {
    const cols =
      h.table.primaryKey === undefined ? index.columns : [...index.columns, h.table.primaryKey];
    const types = cols.map(c => h.table.columns[c]!.type);
    return (a, b) => {
      for (let i = 0; i < cols.length; i++) {
        const c = compareValues(types[i]!, a[cols[i]!]!, b[cols[i]!]!);
        if (c !== 0) return c;
      }
      return 0;
    };
  }

  /** The index and the batch history of its table, when that table changed in the batch. */
  #touched(indexId: number): { index: IndexSchema; h: TableHistory } | undefined {
    const index = this.states.schema.indexes[indexId];
    const h = index === undefined ? undefined : this.states.history(index.tableId);
    return h === undefined ? undefined : { index: index!, h };
  }

  findUnique(indexId: number, key: Uint8Array): Uint8Array | undefined {
    const row = this.#base.findUnique(indexId, key);
    const x = this.#touched(indexId);
    if (x === undefined) return row;
    if (row !== undefined && this.#keep(x.h, [row]).length === 1) return row;
    return this.#added(x.h.keysOf(x.index).byFull.get(bytesKey(key)) ?? [])[0]?.raw;
  }

  scanIndexPoint(indexId: number, key: Uint8Array): Uint8Array[] {
    const rows = this.#base.scanIndexPoint(indexId, key);
    const x = this.#touched(indexId);
    if (x === undefined) return rows;
    const kept = this.#keep(x.h, rows);
    const added = this.#added(x.h.keysOf(x.index).byFull.get(bytesKey(key)) ?? []);
    return added.length === 0
      ? kept
      : this.#merge(x.h, kept, added, this.#indexOrder(x.h, x.index));
  }

  scanIndexRange(indexId: number, range: IndexRange, reverse = false): Uint8Array[] {
    const rows = this.#base.scanIndexRange(indexId, range, reverse);
    const x = this.#touched(indexId);
    if (x === undefined) return rows;
    const { index, h } = x;
    const kept = this.#keep(h, rows);
    const keys = h.keysOf(index);
    const types = index.columns.map(c => h.table.columns[c]!.type);
    let candidates: Iterable<Touched> = h.rows.values();
    if (range.prefixElems > 0) {
      const r = new BsatnReader(range.prefix);
      skipValue(r, types[0]!);
      candidates = keys.byLead.get(bytesKey(range.prefix.subarray(0, r.offset))) ?? [];
    }
    const prefix = bytesKey(range.prefix);
    const col = index.columns[range.prefixElems];
    const colType = types[range.prefixElems];
    const within = (t: Touched): boolean => {
      if (range.prefixElems > 0 && keys.prefixes.get(t)![range.prefixElems - 1] !== prefix)
        return false;
      if (col === undefined || colType === undefined) return true;
      return (
        inBound(colType, t.values[col]!, range.start, 1) &&
        inBound(colType, t.values[col]!, range.end, -1)
      );
    };
    const added = this.#added(candidates).filter(within);
    if (added.length === 0) return kept;
    const merged = this.#merge(h, kept, added, this.#indexOrder(h, index));
    return reverse ? merged.reverse() : merged;
  }

  /**
   * The rows whose value in the first column of `index` has BSATN `key`, in no particular
   * order (the engine's join lookups do not need the order, so nothing is sorted).
   */
  probe(index: IndexSchema, key: Uint8Array): Uint8Array[] {
    const rows = probeReader(this.#base, index, key);
    const h = this.states.history(index.tableId);
    if (h === undefined) return rows;
    const kept = this.#keep(h, rows);
    for (const t of this.#added(h.keysOf(index).byLead.get(bytesKey(key)) ?? [])) kept.push(t.raw);
    return kept;
  }
}

/** `side` 1: `v` is at or after a start bound; -1: at or before an end bound. */
function inBound(type: AlgebraicType, v: AlgebraicValue, bound: KeyBound, side: 1 | -1): boolean {
  if (bound.kind === 'unbounded') return true;
  const c = compareValues(type, v, decodeFromBytes(type, bound.value)) * side;
  return bound.kind === 'included' ? c >= 0 : c > 0;
}

/** Rows of `index`'s table whose first index column has BSATN `key`, from any reader. */
export function probeReader(
  reader: TableReader,
  index: IndexSchema,
  key: Uint8Array,
): Uint8Array[] {
  if (reader instanceof StateReader) return reader.probe(index, key);
  if (index.columns.length === 1) {
    if (!index.unique) return reader.scanIndexPoint(index.id, key);
    const row = reader.findUnique(index.id, key);
    return row === undefined ? [] : [row];
  }
  return reader.scanIndexRange(index.id, {
    prefix: key,
    prefixElems: 1,
    start: { kind: 'unbounded' },
    end: { kind: 'unbounded' },
  });
}

/**
 * Readers of every state of a committed batch: element 0 is the state before the first call,
 * element `i + 1` the state after call `i` (the last one is `after` itself).
 */
export function batchStates(
  schema: ModuleSchema,
  calls: readonly CallChanges[],
  after: TableReader,
): TableReader[] {
  const states = new BatchStates(schema, calls, after);
  return Array.from({ length: calls.length + 1 }, (_, i) => states.reader(i));
}
