/**
 * @module
 * `BatchTx`: the overlay a worker runs a batch of reducer calls in. Reads see the overlay,
 * then the LMDB snapshot; writes go to the overlay only, so user code never holds the LMDB
 * write lock. Each call is a savepoint: its writes are kept or dropped on their own. `finish()`
 * turns the kept writes into one `WriteSet` for the main thread to commit.
 */
import { WasmbaseError } from '../protocol/index.js';
import type { BatchTx, CallChanges, IndexRange, TableChanges, WriteSet } from './store-types.js';
import { keyString, OverlayKv, type KvReader } from './kv.js';
import {
  columnOffset,
  indexEntryKey,
  primaryRowKey,
  readIntLE,
  rowHashKey,
  rowIdKey,
  validateRow,
  writeIntLE,
  type TableCodec,
} from './table-codec.js';
import { TableView, type StoreLayout } from './table-view.js';
import { encodeWriteSet } from './write-set.js';

/** Most writes (inserts + deletes) one call may make. */
export const MAX_WRITES_PER_CALL = 1_000_000;

interface PendingChanges {
  inserts: Map<string, Uint8Array>;
  deletes: Map<string, Uint8Array>;
}

function u64Bytes(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

function readU64(bytes: Uint8Array | undefined): bigint {
  return bytes === undefined ? 0n : new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}

export class OverlayBatchTx extends TableView implements BatchTx {
  readonly #overlay: OverlayKv;
  /** Sequence values are not rolled back with a call, so they are never handed out twice. */
  readonly #sequences = new Map<string, bigint>();
  #changes = new Map<number, PendingChanges>();
  #writes = 0;
  #inCall = false;
  #done = false;

  constructor(
    layout: StoreLayout,
    base: KvReader,
    private readonly onClose: () => void = () => {},
  ) {
    const overlay = new OverlayKv(base);
    super(layout, overlay);
    this.#overlay = overlay;
  }

  beginCall(): void {
    this.#assertOpen();
    if (this.#inCall) throw new WasmbaseError('INTERNAL', 'beginCall while a call is open');
    this.#overlay.savepoint();
    this.#changes.clear();
    this.#writes = 0;
    this.#inCall = true;
  }

  commitCall(): CallChanges {
    this.#assertCall();
    this.#overlay.release();
    this.#inCall = false;
    const out: TableChanges[] = [];
    for (const [tableId, c] of this.#changes) {
      if (c.inserts.size > 0 || c.deletes.size > 0)
        out.push({ tableId, inserts: [...c.inserts.values()], deletes: [...c.deletes.values()] });
    }
    if (out.length > 1) out.sort((a, b) => a.tableId - b.tableId);
    this.#changes = new Map();
    return out;
  }

  rollbackCall(): void {
    this.#assertCall();
    this.#overlay.rollback();
    this.#inCall = false;
    this.#changes.clear();
  }

  #assertOpen(): void {
    if (this.#done) throw new WasmbaseError('INTERNAL', 'batch already finished');
  }

  #assertCall(): void {
    this.#assertOpen();
    if (!this.#inCall) throw new WasmbaseError('INTERNAL', 'no call is open');
  }

  #countWrite(): void {
    if (++this.#writes > MAX_WRITES_PER_CALL) {
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `a call may make at most ${MAX_WRITES_PER_CALL} writes`,
        { limit: MAX_WRITES_PER_CALL },
      );
    }
  }

  #pending(tableId: number): PendingChanges {
    let c = this.#changes.get(tableId);
    if (c === undefined) {
      c = { inserts: new Map(), deletes: new Map() };
      this.#changes.set(tableId, c);
    }
    return c;
  }

  #recordInsert(tableId: number, row: Uint8Array): void {
    const c = this.#pending(tableId);
    const k = keyString(row);
    if (c.deletes.has(k)) c.deletes.delete(k);
    else c.inserts.set(k, row);
  }

  #recordDelete(tableId: number, row: Uint8Array): void {
    const c = this.#pending(tableId);
    const k = keyString(row);
    if (c.inserts.has(k)) c.inserts.delete(k);
    else c.deletes.set(k, row);
  }

  #addCount(table: TableCodec, delta: number): void {
    const current = readU64(this.#overlay.get(table.countKey));
    this.#overlay.put(table.countKey, u64Bytes(current + BigInt(delta)));
  }

  #nextSequence(seq: TableCodec['sequences'][number]): bigint {
    const k = keyString(seq.key);
    let next = this.#sequences.get(k);
    if (next === undefined) {
      const stored = this.#overlay.get(seq.key);
      next = stored === undefined ? seq.schema.start : BigInt(new TextDecoder().decode(stored));
    }
    const s = seq.schema;
    if (next > s.maxValue || next < s.minValue) {
      throw new WasmbaseError(
        'SEQUENCE_OVERFLOW',
        `sequence ${s.name} is exhausted (range ${s.minValue}..${s.maxValue})`,
        { sequence: s.name },
      );
    }
    this.#sequences.set(k, next + s.increment);
    return next;
  }

  /** Fills auto-increment columns holding 0; returns the row to store (a copy when changed). */
  #applySequences(table: TableCodec, row: Uint8Array): Uint8Array {
    let out = row;
    for (const seq of table.sequences) {
      const offset = columnOffset(table, out, seq.schema.column);
      if (readIntLE(out, offset, seq.width, seq.signed) !== 0n) continue;
      if (out === row) out = row.slice();
      writeIntLE(out, offset, seq.width, this.#nextSequence(seq));
    }
    return out;
  }

  #rowKeyOf(table: TableCodec, row: Uint8Array): Uint8Array | undefined {
    if (table.schema.primaryKey !== undefined) return primaryRowKey(table, row, this.keyBuilder);
    const id = this.#overlay.get(rowHashKey(table, row));
    return id;
  }

  /** Writes a row and its index entries; checks unique indexes first. */
  #put(table: TableCodec, rowKey: Uint8Array, row: Uint8Array, ignoreRowKey?: Uint8Array): void {
    const entries: Uint8Array[] = [];
    for (const index of table.indexes) {
      if (index.primary) continue;
      const entry = indexEntryKey(table, index, row, rowKey, this.keyBuilder);
      if (index.schema.unique) {
        const owner = this.#overlay.get(entry);
        if (
          owner !== undefined &&
          (ignoreRowKey === undefined || Buffer.compare(owner, ignoreRowKey) !== 0)
        ) {
          const cols = index.schema.columns.map(c => table.schema.columns[c]!.name).join(', ');
          throw new WasmbaseError(
            'UNIQUE_VIOLATION',
            `duplicate value in unique column ${cols} of table ${table.schema.name} ` +
              `(index ${index.schema.name})`,
            {
              table: table.schema.name,
              index: index.schema.name,
            },
          );
        }
      }
      entries.push(entry);
    }
    for (const entry of entries) this.#overlay.put(entry, rowKey);
    this.#overlay.put(rowKey, row);
    if (table.schema.primaryKey === undefined) this.#overlay.put(rowHashKey(table, row), rowKey);
  }

  #remove(table: TableCodec, rowKey: Uint8Array, row: Uint8Array): void {
    for (const index of table.indexes)
      if (!index.primary)
        this.#overlay.delete(indexEntryKey(table, index, row, rowKey, this.keyBuilder));
    this.#overlay.delete(rowKey);
    if (table.schema.primaryKey === undefined) this.#overlay.delete(rowHashKey(table, row));
  }

  insert(tableId: number, input: Uint8Array): Uint8Array {
    this.#assertCall();
    const table = this.table(tableId);
    validateRow(table, input);
    this.#countWrite();
    const row = this.#applySequences(table, input);
    if (table.schema.primaryKey !== undefined) {
      const rowKey = primaryRowKey(table, row, this.keyBuilder);
      if (this.#overlay.get(rowKey) !== undefined) {
        const pk = table.schema.columns[table.schema.primaryKey]!.name;
        throw new WasmbaseError(
          'UNIQUE_VIOLATION',
          `duplicate primary key ${pk} in table ${table.schema.name}`,
          { table: table.schema.name, index: table.pkIndex?.schema.name },
        );
      }
      this.#put(table, rowKey, row);
    } else {
      if (this.#overlay.get(rowHashKey(table, row)) !== undefined) return row;
      const nextId = readU64(this.#overlay.get(table.rowIdKey));
      this.#overlay.put(table.rowIdKey, u64Bytes(nextId + 1n));
      this.#put(table, rowIdKey(table, nextId), row);
    }
    this.#addCount(table, 1);
    this.#recordInsert(tableId, row);
    return row;
  }

  update(tableId: number, row: Uint8Array): Uint8Array {
    this.#assertCall();
    const table = this.table(tableId);
    if (table.schema.primaryKey === undefined) {
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `table ${table.schema.name} has no primary key to update by`,
        { table: table.schema.name, errno: 'NO_PRIMARY_KEY' },
      );
    }
    validateRow(table, row);
    this.#countWrite();
    const rowKey = primaryRowKey(table, row, this.keyBuilder);
    const old = this.#overlay.get(rowKey);
    if (old === undefined)
      throw new WasmbaseError(
        'ROW_NOT_FOUND',
        `no row with this primary key in table ${table.schema.name}`,
        { table: table.schema.name },
      );
    if (Buffer.compare(old, row) === 0) return old;
    // Only secondary index entries whose key changed are rewritten; unique ones are checked first.
    const moves: [Uint8Array, Uint8Array][] = [];
    for (const index of table.indexes) {
      if (index.primary) continue;
      const before = indexEntryKey(table, index, old, rowKey, this.keyBuilder);
      const after = indexEntryKey(table, index, row, rowKey, this.keyBuilder);
      if (Buffer.compare(before, after) === 0) continue;
      if (index.schema.unique && this.#overlay.get(after) !== undefined) {
        const cols = index.schema.columns.map(c => table.schema.columns[c]!.name).join(', ');
        throw new WasmbaseError(
          'UNIQUE_VIOLATION',
          `duplicate value in unique column ${cols} of table ${table.schema.name} ` +
            `(index ${index.schema.name})`,
          {
            table: table.schema.name,
            index: index.schema.name,
          },
        );
      }
      moves.push([before, after]);
    }
    for (const [before] of moves) this.#overlay.delete(before);
    for (const [, after] of moves) this.#overlay.put(after, rowKey);
    this.#overlay.put(rowKey, row);
    this.#recordDelete(tableId, old);
    this.#recordInsert(tableId, row);
    return row;
  }

  #deleteByKey(table: TableCodec, rowKey: Uint8Array): boolean {
    const row = this.#overlay.get(rowKey);
    if (row === undefined) return false;
    this.#countWrite();
    this.#remove(table, rowKey, row);
    this.#addCount(table, -1);
    this.#recordDelete(table.schema.id, row);
    return true;
  }

  deleteRow(tableId: number, row: Uint8Array): boolean {
    this.#assertCall();
    const table = this.table(tableId);
    validateRow(table, row);
    const rowKey = this.#rowKeyOf(table, row);
    if (rowKey === undefined) return false;
    const current = this.#overlay.get(rowKey);
    if (current === undefined || Buffer.compare(current, row) !== 0) return false;
    return this.#deleteByKey(table, rowKey);
  }

  #deleteRowKeys(indexId: number, start: Uint8Array, end: Uint8Array): number {
    const table = this.layout.indexTable[indexId]!;
    let n = 0;
    for (const rowKey of this.indexRowKeys(this.index(indexId), start, end))
      if (this.#deleteByKey(table, rowKey)) n++;
    return n;
  }

  deleteIndexPoint(indexId: number, key: Uint8Array): number {
    this.#assertCall();
    const [start, end] = this.pointBounds(this.index(indexId), key);
    return this.#deleteRowKeys(indexId, start, end);
  }

  deleteIndexRange(indexId: number, range: IndexRange): number {
    this.#assertCall();
    const [start, end] = this.rangeBounds(this.index(indexId), range);
    if (Buffer.compare(start, end) >= 0) return 0;
    return this.#deleteRowKeys(indexId, start, end);
  }

  finish(): WriteSet {
    this.#assertOpen();
    if (this.#inCall) throw new WasmbaseError('INTERNAL', 'finish with a call still open');
    const enc = new TextEncoder();
    for (const table of this.layout.tables) {
      for (const seq of table.sequences) {
        const next = this.#sequences.get(keyString(seq.key));
        if (next !== undefined) this.#overlay.put(seq.key, enc.encode(next.toString()));
      }
    }
    this.#done = true;
    this.onClose();
    return encodeWriteSet(this.#overlay.entries());
  }

  abandon(): void {
    if (this.#done) return;
    this.#done = true;
    this.onClose();
  }
}
