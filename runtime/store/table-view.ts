/**
 * @module
 * Table reads over a key/value view: the `TableReader` half of the store contract, shared by
 * read snapshots (`ReadTx`) and batches (`BatchTx`).
 */
import { WasmbaseError } from '../protocol/index.js';
import type { IndexRange, KeyBound, ReadOptions, TableReader } from './store-types.js';
import type { KvEntry, KvReader } from './kv.js';
import { readLimit } from './lazy-reads.js';
import {
  indexKeyFromBsatn,
  prefixSuccessor,
  type IndexCodec,
  type TableCodec,
} from './table-codec.js';
import { KeyBuilder } from './key-codec.js';

export interface StoreLayout {
  readonly tables: readonly TableCodec[];
  /** Index codecs by schema index id. */
  readonly indexes: readonly IndexCodec[];
  /** The table owning each schema index id. */
  readonly indexTable: readonly TableCodec[];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function* entryValues(entries: Iterable<KvEntry>): Generator<Uint8Array> {
  for (const e of entries) yield e.value;
}

export class TableView implements TableReader {
  protected readonly keyBuilder = new KeyBuilder();

  constructor(
    protected readonly layout: StoreLayout,
    protected readonly kv: KvReader,
  ) {}

  protected table(tableId: number): TableCodec {
    const t = this.layout.tables[tableId];
    if (t === undefined)
      throw new WasmbaseError('INVALID_ARGUMENT', `no table with id ${tableId}`, {
        table: tableId,
        errno: 'NO_SUCH_TABLE',
      });
    return t;
  }

  protected index(indexId: number): IndexCodec {
    const ix = this.layout.indexes[indexId];
    if (ix === undefined)
      throw new WasmbaseError('INVALID_ARGUMENT', `no index with id ${indexId}`, {
        index: indexId,
        errno: 'NO_SUCH_INDEX',
      });
    return ix;
  }

  count(tableId: number): number {
    const v = this.kv.get(this.table(tableId).countKey);
    return v === undefined ? 0 : Number(new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0));
  }

  scan(tableId: number): Uint8Array[] {
    const t = this.table(tableId);
    return this.kv.range(t.rowPrefix, prefixSuccessor(t.rowPrefix)).map(e => e.value);
  }

  iterateScan(tableId: number, options?: ReadOptions): Iterable<Uint8Array> {
    const t = this.table(tableId);
    return entryValues(
      this.kv.iterate(
        t.rowPrefix,
        prefixSuccessor(t.rowPrefix),
        options?.reverse === true,
        readLimit(options),
      ),
    );
  }

  /** The key of the index entry for a full key given as BSATN. */
  protected pointKey(index: IndexCodec, key: Uint8Array): Uint8Array {
    return indexKeyFromBsatn(index, index.types, key, this.keyBuilder);
  }

  /** The point key, or undefined when it is over the key limit: no stored row can match it. */
  protected storablePointKey(index: IndexCodec, key: Uint8Array): Uint8Array | undefined {
    try {
      return this.pointKey(index, key);
    } catch (err) {
      if (err instanceof WasmbaseError && err.code === 'KEY_TOO_LARGE') return undefined;
      throw err;
    }
  }

  findUnique(indexId: number, key: Uint8Array): Uint8Array | undefined {
    const index = this.index(indexId);
    if (!index.schema.unique)
      throw new WasmbaseError('INVALID_ARGUMENT', `index ${index.schema.name} is not unique`, {
        index: index.schema.name,
        errno: 'INDEX_NOT_UNIQUE',
      });
    const entry = this.storablePointKey(index, key);
    if (entry === undefined) return undefined;
    if (index.primary) return this.kv.get(entry);
    const rowKey = this.kv.get(entry);
    return rowKey === undefined ? undefined : this.kv.get(rowKey);
  }

  /** Row keys of the index entries in [start, end). */
  protected indexRowKeys(
    index: IndexCodec,
    start: Uint8Array,
    end: Uint8Array,
    reverse = false,
  ): Uint8Array[] {
    return this.kv.range(start, end, reverse).map(e => (index.primary ? e.key : e.value));
  }

  /** Rows of the index entries in [start, end). */
  protected indexRows(
    index: IndexCodec,
    start: Uint8Array,
    end: Uint8Array,
    reverse = false,
  ): Uint8Array[] {
    if (index.primary) return this.kv.range(start, end, reverse).map(e => e.value);
    return this.rowsOf(this.indexRowKeys(index, start, end, reverse));
  }

  protected rowsOf(rowKeys: readonly Uint8Array[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const k of rowKeys) out.push(this.rowAt(k));
    return out;
  }

  protected rowAt(rowKey: Uint8Array): Uint8Array {
    const row = this.kv.get(rowKey);
    if (row === undefined)
      throw new WasmbaseError('STORAGE_FAILURE', 'index entry points to a missing row');
    return row;
  }

  /** Rows of the index entries in [start, end), read one entry at a time. */
  protected *lazyIndexRows(
    index: IndexCodec,
    start: Uint8Array,
    end: Uint8Array,
    reverse: boolean,
    limit: number | undefined,
  ): Generator<Uint8Array> {
    const entries = this.kv.iterate(start, end, reverse, limit);
    if (index.primary) yield* entryValues(entries);
    else for (const e of entries) yield this.rowAt(e.value);
  }

  protected pointBounds(index: IndexCodec, key: Uint8Array): [Uint8Array, Uint8Array] {
    const k = this.pointKey(index, key);
    return index.schema.unique ? [k, concat(k, Uint8Array.of(0))] : [k, prefixSuccessor(k)];
  }

  scanIndexPoint(indexId: number, key: Uint8Array): Uint8Array[] {
    const index = this.index(indexId);
    if (this.storablePointKey(index, key) === undefined) return [];
    const [start, end] = this.pointBounds(index, key);
    return this.indexRows(index, start, end);
  }

  iterateIndexPoint(indexId: number, key: Uint8Array, options?: ReadOptions): Iterable<Uint8Array> {
    const index = this.index(indexId);
    const [start, end] = this.pointBounds(index, key);
    return this.lazyIndexRows(index, start, end, options?.reverse === true, readLimit(options));
  }

  protected rangeBounds(index: IndexCodec, range: IndexRange): [Uint8Array, Uint8Array] {
    if (range.prefixElems < 0 || range.prefixElems > index.types.length) {
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `index ${index.schema.name} has ${index.types.length} columns; ` +
          `prefix of ${range.prefixElems} is out of range`,
      );
    }
    const prefixTypes = index.types.slice(0, range.prefixElems);
    const prefix = indexKeyFromBsatn(index, prefixTypes, range.prefix, new KeyBuilder());
    if (range.prefixElems === index.types.length) {
      return [prefix, prefixSuccessor(prefix)];
    }
    const colType = [index.types[range.prefixElems]!];
    const bound = (b: KeyBound): Uint8Array | undefined =>
      b.kind === 'unbounded'
        ? undefined
        : concat(
            prefix,
            indexKeyFromBsatn(index, colType, b.value, new KeyBuilder()).subarray(
              index.prefix.length,
            ),
          );
    const s = bound(range.start);
    const e = bound(range.end);
    const start =
      s === undefined ? prefix : range.start.kind === 'excluded' ? prefixSuccessor(s) : s;
    const end =
      e === undefined
        ? prefixSuccessor(prefix)
        : range.end.kind === 'included'
          ? prefixSuccessor(e)
          : e;
    return [start, end];
  }

  /** The [start, end) keys of an index range; undefined when it is empty. */
  protected checkedRangeBounds(
    index: IndexCodec,
    range: IndexRange,
  ): [Uint8Array, Uint8Array] | undefined {
    if (index.schema.algorithm === 'Hash' && range.prefixElems < index.types.length) {
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `index ${index.schema.name} is a hash index: it answers only exact lookups`,
        { index: index.schema.name, errno: 'WRONG_INDEX_ALGO' },
      );
    }
    const [start, end] = this.rangeBounds(index, range);
    if (start.length > 0 && end.length > 0 && Buffer.compare(start, end) >= 0) return undefined;
    return [start, end];
  }

  scanIndexRange(indexId: number, range: IndexRange, reverse = false): Uint8Array[] {
    const index = this.index(indexId);
    const bounds = this.checkedRangeBounds(index, range);
    return bounds === undefined ? [] : this.indexRows(index, bounds[0], bounds[1], reverse);
  }

  iterateIndexRange(
    indexId: number,
    range: IndexRange,
    options?: ReadOptions,
  ): Iterable<Uint8Array> {
    const index = this.index(indexId);
    const limit = readLimit(options);
    const bounds = this.checkedRangeBounds(index, range);
    return bounds === undefined
      ? []
      : this.lazyIndexRows(index, bounds[0], bounds[1], options?.reverse === true, limit);
  }
}
