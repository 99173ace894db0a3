/**
 * TEST DOUBLE ONLY: an in-memory `TableReader`/`BatchTx` over a `ModuleSchema`, written
 * independently of the LMDB store so the SQL tests can run against two implementations of the
 * store contract. Index order uses its own naive comparator (numbers, strings by code point,
 * Option: values before NULL); unique constraints and auto-increment are enforced.
 */
import {
  BsatnReader,
  decodeFromBytes,
  decodeValue,
  encodeToBytes,
  WasmbaseError,
} from '../../runtime/protocol/index.js';
import type {
  AlgebraicType,
  AlgebraicValue,
  IndexSchema,
  ModuleSchema,
  TableSchema,
} from '../../runtime/protocol/index.js';
import type {
  BatchTx,
  CallChanges,
  IndexRange,
  KeyBound,
  ReadOptions,
  WriteSet,
} from '../../runtime/store/index.js';

function naiveCompare(a: AlgebraicValue, b: AlgebraicValue): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a].map(c => c.codePointAt(0)!);
    const y = [...b].map(c => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return naiveCompare(Array.from(a), Array.from(b));
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = naiveCompare(a[i] as AlgebraicValue, b[i] as AlgebraicValue);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'object' && typeof b === 'object' && 'tag' in a && 'tag' in b)
    return a.tag !== b.tag ? a.tag - b.tag : naiveCompare(a.value, b.value);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const rowTypeOf = (t: TableSchema): AlgebraicType => ({
  tag: 'Product',
  elements: t.rowType.elements,
});

function decodeKeyParts(types: readonly AlgebraicType[], bytes: Uint8Array): AlgebraicValue[] {
  const r = new BsatnReader(bytes);
  return types.map(t => decodeValue(r, t));
}

function* limited(rows: Uint8Array[], options: ReadOptions): Generator<Uint8Array> {
  const ordered = options.reverse === true ? rows.reverse() : rows;
  const n = Math.min(ordered.length, options.limit ?? Infinity);
  for (let i = 0; i < n; i++) yield ordered[i]!;
}

export class MemoryStoreDouble implements BatchTx {
  readonly #tables: Uint8Array[][];
  readonly #seq: bigint[];
  readonly #calls: { tableId: number; inserts: Uint8Array[]; deletes: Uint8Array[] }[] = [];
  #undo: (() => void)[] | undefined;

  constructor(readonly schema: ModuleSchema) {
    this.#tables = schema.tables.map(() => []);
    this.#seq = schema.tables.map(() => 1n);
  }

  #table(id: number): TableSchema {
    const t = this.schema.tables[id];
    if (t === undefined) throw new WasmbaseError('INVALID_ARGUMENT', `no table ${id}`);
    return t;
  }

  #index(id: number): { index: IndexSchema; table: TableSchema; types: AlgebraicType[] } {
    const index = this.schema.indexes[id];
    if (index === undefined) throw new WasmbaseError('INVALID_ARGUMENT', `no index ${id}`);
    const table = this.#table(index.tableId);
    return { index, table, types: index.columns.map(c => table.columns[c]!.type) };
  }

  /** Decoded rows, remembered (stored rows are never mutated) so 10k-row tests stay quick. */
  readonly #decoded = new WeakMap<Uint8Array, AlgebraicValue[]>();

  #values(table: TableSchema, row: Uint8Array): AlgebraicValue[] {
    let v = this.#decoded.get(row);
    if (v === undefined) {
      v = decodeFromBytes(rowTypeOf(table), row) as AlgebraicValue[];
      this.#decoded.set(row, v);
    }
    return v;
  }

  #keyOf(table: TableSchema, index: IndexSchema, row: Uint8Array): AlgebraicValue[] {
    const v = this.#values(table, row);
    return index.columns.map(c => v[c]!);
  }

  #hasKey(table: TableSchema, index: IndexSchema, key: readonly AlgebraicValue[]): boolean {
    const cols = index.columns;
    return this.#tables[table.id]!.some(r => {
      const v = this.#values(table, r);
      for (let i = 0; i < cols.length; i++)
        if (naiveCompare(v[cols[i]!]!, key[i]!) !== 0) return false;
      return true;
    });
  }

  /** Rows of the index whose key satisfies `keep`, in key order then storage order. */
  #indexRows(
    indexId: number,
    keep: (key: AlgebraicValue[]) => boolean,
    reverse = false,
  ): Uint8Array[] {
    const { index, table } = this.#index(indexId);
    const tableRows = this.#tables[table.id]!;
    const rows = tableRows
      .map((row, i) => ({ row, i, key: this.#keyOf(table, index, row) }))
      .filter(e => keep(e.key));
    rows.sort((a, b) => naiveCompare(a.key, b.key) || a.i - b.i);
    if (reverse) rows.reverse();
    return rows.map(e => e.row);
  }

  count(tableId: number): number {
    return this.#table(tableId) && this.#tables[tableId]!.length;
  }

  scan(tableId: number): Uint8Array[] {
    const t = this.#table(tableId);
    return t.primaryIndex === undefined
      ? [...this.#tables[tableId]!]
      : this.#indexRows(t.primaryIndex.id, () => true);
  }

  findUnique(indexId: number, key: Uint8Array): Uint8Array | undefined {
    const { types } = this.#index(indexId);
    const want = decodeKeyParts(types, key);
    return this.#indexRows(indexId, k => naiveCompare(k, want) === 0)[0];
  }

  scanIndexPoint(indexId: number, key: Uint8Array): Uint8Array[] {
    const { types } = this.#index(indexId);
    const want = decodeKeyParts(types, key);
    return this.#indexRows(indexId, k => naiveCompare(k, want) === 0);
  }

  scanIndexRange(indexId: number, range: IndexRange, reverse = false): Uint8Array[] {
    const { types } = this.#index(indexId);
    const n = range.prefixElems;
    const prefix = decodeKeyParts(types.slice(0, n), range.prefix);
    const bound = (b: KeyBound): AlgebraicValue | undefined =>
      b.kind === 'unbounded' ? undefined : decodeFromBytes(types[n]!, b.value);
    const lo = bound(range.start);
    const hi = bound(range.end);
    return this.#indexRows(
      indexId,
      k => {
        if (naiveCompare(k.slice(0, n), prefix) !== 0) return false;
        if (n === types.length) return true;
        const v = k[n]!;
        if (
          lo !== undefined &&
          (range.start.kind === 'included' ? naiveCompare(v, lo) < 0 : naiveCompare(v, lo) <= 0)
        )
          return false;
        if (
          hi !== undefined &&
          (range.end.kind === 'included' ? naiveCompare(v, hi) > 0 : naiveCompare(v, hi) >= 0)
        )
          return false;
        return true;
      },
      reverse,
    );
  }

  // The lazy reads yield from the same arrays: this double is about answers, not about I/O.
  iterateScan(tableId: number, options: ReadOptions = {}): Iterable<Uint8Array> {
    return limited(this.scan(tableId), options);
  }

  iterateIndexPoint(
    indexId: number,
    key: Uint8Array,
    options: ReadOptions = {},
  ): Iterable<Uint8Array> {
    return limited(this.scanIndexPoint(indexId, key), options);
  }

  iterateIndexRange(
    indexId: number,
    range: IndexRange,
    options: ReadOptions = {},
  ): Iterable<Uint8Array> {
    return limited(this.scanIndexRange(indexId, range, options.reverse === true), {
      ...options,
      reverse: false,
    });
  }

  beginCall(): void {
    this.#undo = [];
  }

  commitCall(): CallChanges {
    this.#undo = undefined;
    return this.#calls.splice(0);
  }

  rollbackCall(): void {
    for (const u of (this.#undo ?? []).reverse()) u();
    this.#undo = undefined;
    this.#calls.length = 0;
  }

  #record(tableId: number, kind: 'inserts' | 'deletes', row: Uint8Array): void {
    let c = this.#calls.find(x => x.tableId === tableId);
    if (c === undefined) this.#calls.push((c = { tableId, inserts: [], deletes: [] }));
    c[kind].push(row);
  }

  insert(tableId: number, row: Uint8Array): Uint8Array {
    const t = this.#table(tableId);
    const values = decodeFromBytes(rowTypeOf(t), row) as AlgebraicValue[];
    for (const s of t.sequences) {
      if (values[s.column] === 0 || values[s.column] === 0n) {
        const next = this.#seq[tableId]!++;
        values[s.column] = typeof values[s.column] === 'bigint' ? next : Number(next);
      }
    }
    const stored = encodeToBytes(rowTypeOf(t), values);
    for (const ix of t.indexes) {
      if (!ix.unique) continue;
      const key = ix.columns.map(c => values[c]!);
      if (this.#hasKey(t, ix, key)) {
        throw new WasmbaseError('UNIQUE_VIOLATION', `duplicate key in unique index ${ix.name}`);
      }
    }
    this.#tables[tableId]!.push(stored);
    this.#undo?.push(() => void this.#remove(tableId, stored));
    this.#record(tableId, 'inserts', stored);
    return stored;
  }

  #remove(tableId: number, row: Uint8Array): boolean {
    const rows = this.#tables[tableId]!;
    const i = rows.findIndex(r => Buffer.compare(r, row) === 0);
    if (i < 0) return false;
    rows.splice(i, 1);
    return true;
  }

  update(tableId: number, row: Uint8Array): Uint8Array {
    const t = this.#table(tableId);
    const pk = t.primaryIndex!;
    const key = this.#keyOf(t, pk, row);
    const old = this.#tables[tableId]!.find(r => naiveCompare(this.#keyOf(t, pk, r), key) === 0);
    if (old === undefined) throw new WasmbaseError('ROW_NOT_FOUND', 'no row with that key');
    this.deleteRow(tableId, old);
    return this.insert(tableId, row);
  }

  deleteRow(tableId: number, row: Uint8Array): boolean {
    const removed = this.#remove(tableId, row);
    if (removed) {
      const copy = row.slice();
      this.#undo?.push(() => void this.#tables[tableId]!.push(copy));
      this.#record(tableId, 'deletes', copy);
    }
    return removed;
  }

  deleteIndexPoint(indexId: number, key: Uint8Array): number {
    const rows = this.scanIndexPoint(indexId, key);
    for (const r of rows) this.deleteRow(this.#index(indexId).table.id, r);
    return rows.length;
  }

  deleteIndexRange(indexId: number, range: IndexRange): number {
    const rows = this.scanIndexRange(indexId, range);
    for (const r of rows) this.deleteRow(this.#index(indexId).table.id, r);
    return rows.length;
  }

  finish(): WriteSet {
    return { ops: new Uint8Array(0), opCount: 0 };
  }

  abandon(): void {}

  close(): void {}
}
