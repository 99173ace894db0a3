/**
 * @module
 * Per-table knowledge compiled once from the schema: where each column sits in a row's BSATN,
 * how to build the row key and index keys, how to validate rows and fill auto-increment columns.
 *
 * Store key layout (one LMDB database per environment, all keys prefixed):
 * | prefix | rest                                                    | value                  |
 * | ------ | ------------------------------------------------------- | ---------------------- |
 * | 0x00   | meta name                                               | JSON                   |
 * | 0x01   | table sid (u16) + primary key, or + row id (u64)        | row BSATN              |
 * | 0x02   | index sid (u16) + index key [+ row key for non-unique]  | row key                |
 * |        | (the primary-key index has no entries of its own: row keys are already its keys) |  |
 * | 0x03   | table sid + column (u16)                                | next sequence value    |
 * | 0x04   | table sid                                               | row count (u64)        |
 * | 0x05   | table sid                                               | next row id (u64)      |
 * | 0x06   | table sid + sha1 of the row (tables without a key)      | row key                |
 * "sid" = storage id: a persistent number per table / index name (see `storage-ids.ts`).
 */
import { createHash } from 'node:crypto';
import {
  BsatnReader,
  decodeValue,
  fixedSize,
  skipValue,
  WasmbaseError,
} from '../protocol/index.js';
import type { AlgebraicType, IndexSchema, SequenceSchema, TableSchema } from '../protocol/index.js';
import { appendKey, KeyBuilder } from './key-codec.js';

export const PREFIX = {
  META: 0x00,
  ROW: 0x01,
  INDEX: 0x02,
  SEQUENCE: 0x03,
  COUNT: 0x04,
  ROW_ID: 0x05,
  ROW_HASH: 0x06,
} as const;

/** Largest encoded key (LMDB's limit is 1978 bytes with lmdb-js defaults). */
export const MAX_KEY_BYTES = 1900;
/** Largest row. */
export const MAX_ROW_BYTES = 1024 * 1024;

export interface IndexCodec {
  readonly schema: IndexSchema;
  readonly sid: number;
  readonly types: readonly AlgebraicType[];
  /** The primary-key index: its "entries" are the rows themselves, under their row keys. */
  readonly primary: boolean;
  /** `[0x02][sid]`, the prefix of every entry of this index (for the primary index: of rows). */
  readonly prefix: Uint8Array;
}

export interface TableCodec {
  readonly schema: TableSchema;
  readonly sid: number;
  /** `[0x01][sid]`, the prefix of every row key. */
  readonly rowPrefix: Uint8Array;
  readonly countKey: Uint8Array;
  readonly rowIdKey: Uint8Array;
  readonly fixedRowSize: number | undefined;
  /** Byte offset of each column when every earlier column has a fixed size, else undefined. */
  readonly fixedOffsets: readonly (number | undefined)[];
  readonly indexes: readonly IndexCodec[];
  readonly pkIndex: IndexCodec | undefined;
  readonly sequences: readonly {
    readonly schema: SequenceSchema;
    readonly key: Uint8Array;
    readonly width: number;
    readonly signed: boolean;
  }[];
}

function u16(v: number): [number, number] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

const INT_WIDTHS: Partial<Record<string, number>> = {
  I8: 1,
  U8: 1,
  I16: 2,
  U16: 2,
  I32: 4,
  U32: 4,
  I64: 8,
  U64: 8,
  I128: 16,
  U128: 16,
};

export function compileTable(
  schema: TableSchema,
  sid: number,
  indexSid: (ix: IndexSchema) => number,
): TableCodec {
  const fixedOffsets: (number | undefined)[] = [];
  let offset: number | undefined = 0;
  for (const col of schema.columns) {
    fixedOffsets.push(offset);
    const size = fixedSize(col.type);
    offset = offset === undefined || size === undefined ? undefined : offset + size;
  }
  const rowPrefix = Uint8Array.of(PREFIX.ROW, ...u16(sid));
  const indexes = schema.indexes.map(ix => {
    const s = indexSid(ix);
    const primary = schema.primaryIndex?.id === ix.id;
    return {
      schema: ix,
      sid: s,
      types: ix.columns.map(c => schema.columns[c]!.type),
      primary,
      prefix: primary ? rowPrefix : Uint8Array.of(PREFIX.INDEX, ...u16(s)),
    };
  });
  return {
    schema,
    sid,
    rowPrefix,
    countKey: Uint8Array.of(PREFIX.COUNT, ...u16(sid)),
    rowIdKey: Uint8Array.of(PREFIX.ROW_ID, ...u16(sid)),
    fixedRowSize: fixedSize({ tag: 'Product', elements: schema.rowType.elements }),
    fixedOffsets,
    indexes,
    pkIndex:
      schema.primaryIndex === undefined
        ? undefined
        : indexes.find(ix => ix.schema.id === schema.primaryIndex!.id),
    sequences: schema.sequences.map(seq => {
      const type = schema.columns[seq.column]!.type.tag;
      return {
        schema: seq,
        key: Uint8Array.of(PREFIX.SEQUENCE, ...u16(sid), ...u16(seq.column)),
        width: INT_WIDTHS[type] ?? 8,
        signed: type.startsWith('I'),
      };
    }),
  };
}

/**
 * Throws ROW_INVALID unless `row` is exactly one value of the table's row type. A row over
 * MAX_ROW_BYTES says so in `details.errno` (`ROW_TOO_LARGE`); other failures are malformed BSATN.
 */
export function validateRow(table: TableCodec, row: Uint8Array): void {
  if (row.length > MAX_ROW_BYTES)
    throw new WasmbaseError(
      'ROW_INVALID',
      `row of ${table.schema.name} is ${row.length} bytes; the limit is ${MAX_ROW_BYTES}`,
      { table: table.schema.name, limit: MAX_ROW_BYTES, errno: 'ROW_TOO_LARGE' },
    );
  if (table.fixedRowSize !== undefined) {
    if (row.length !== table.fixedRowSize)
      throw new WasmbaseError(
        'ROW_INVALID',
        `row of ${table.schema.name} must be ${table.fixedRowSize} bytes, got ${row.length}`,
        { table: table.schema.name },
      );
    for (const col of table.schema.columns) {
      if (col.type.tag === 'Bool') {
        const b = row[table.fixedOffsets[col.id]!]!;
        if (b > 1)
          throw new WasmbaseError(
            'ROW_INVALID',
            `column ${col.name} of ${table.schema.name}: invalid bool byte ${b}`,
            { table: table.schema.name },
          );
      }
    }
    return;
  }
  try {
    const r = new BsatnReader(row);
    decodeValue(r, { tag: 'Product', elements: table.schema.rowType.elements });
    r.expectEnd('row');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new WasmbaseError('ROW_INVALID', `bytes are not a row of ${table.schema.name}: ${why}`, {
      table: table.schema.name,
    });
  }
}

/** A reader positioned at the start of column `col` of `row`. */
export function readerAtColumn(
  table: TableCodec,
  row: Uint8Array,
  col: number,
  r = new BsatnReader(row),
): BsatnReader {
  r.reset(row);
  const fixed = table.fixedOffsets[col];
  if (fixed !== undefined) {
    r.readRawView(fixed);
    return r;
  }
  for (let c = 0; c < col; c++) skipValue(r, table.schema.columns[c]!.type);
  return r;
}

const scratchReader = new BsatnReader(new Uint8Array(0));

/** Appends the order-preserving key of `columns` of `row` to `out`. */
export function appendColumnsKey(
  table: TableCodec,
  row: Uint8Array,
  columns: readonly number[],
  out: KeyBuilder,
): void {
  for (const col of columns)
    appendKey(out, table.schema.columns[col]!.type, readerAtColumn(table, row, col, scratchReader));
}

function checkKeySize(out: KeyBuilder, what: string): void {
  if (out.length > MAX_KEY_BYTES)
    throw new WasmbaseError(
      'KEY_TOO_LARGE',
      `${what} key is ${out.length} bytes encoded; the limit is ${MAX_KEY_BYTES}`,
    );
}

/** The row key of a table with a primary key. */
export function primaryRowKey(
  table: TableCodec,
  row: Uint8Array,
  out = new KeyBuilder(),
): Uint8Array {
  out.reset();
  out.bytes(table.rowPrefix);
  appendColumnsKey(table, row, [table.schema.primaryKey!], out);
  checkKeySize(out, `primary key of ${table.schema.name}`);
  return out.toBytes();
}

/** The row key of a keyless table for a given row id. */
export function rowIdKey(table: TableCodec, rowId: bigint): Uint8Array {
  const out = new KeyBuilder();
  out.bytes(table.rowPrefix);
  out.u64(rowId);
  return out.toBytes();
}

/** The content-hash key that finds a row of a keyless table by its bytes. */
export function rowHashKey(table: TableCodec, row: Uint8Array): Uint8Array {
  const digest = createHash('sha1').update(row).digest();
  const out = new Uint8Array(3 + digest.length);
  out[0] = PREFIX.ROW_HASH;
  out[1] = (table.sid >>> 8) & 0xff;
  out[2] = table.sid & 0xff;
  out.set(digest, 3);
  return out;
}

/** The index entry key of `row` (unique: index key; non-unique: index key + row key). */
export function indexEntryKey(
  table: TableCodec,
  index: IndexCodec,
  row: Uint8Array,
  rowKey: Uint8Array,
  out = new KeyBuilder(),
): Uint8Array {
  out.reset();
  out.bytes(index.prefix);
  appendColumnsKey(table, row, index.schema.columns, out);
  if (!index.schema.unique) out.bytes(rowKey);
  checkKeySize(out, `index ${index.schema.name}`);
  return out.toBytes();
}

/** `[0x02][sid]` + encoding of consecutive BSATN values of `types` in `bsatn`. */
const keyReader = new BsatnReader(new Uint8Array(0));

export function indexKeyFromBsatn(
  index: IndexCodec,
  types: readonly AlgebraicType[],
  bsatn: Uint8Array,
  out = new KeyBuilder(),
): Uint8Array {
  out.reset();
  out.bytes(index.prefix);
  const r = keyReader.reset(bsatn);
  try {
    for (const t of types) appendKey(out, t, r);
    r.expectEnd('key');
  } catch (err) {
    if (err instanceof WasmbaseError && err.code === 'KEY_TOO_LARGE') throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new WasmbaseError(
      'ROW_INVALID',
      `key bytes do not match index ${index.schema.name}: ${why}`,
      { index: index.schema.name },
    );
  }
  checkKeySize(out, `index ${index.schema.name}`);
  return out.toBytes();
}

/** The smallest key greater than every key that starts with `prefix`. */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0xff, 0xff, 0xff, 0xff);
}

/** Reads the little-endian integer of `width` bytes at `offset`. */
export function readIntLE(row: Uint8Array, offset: number, width: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(row[offset + i]!);
  return signed ? BigInt.asIntN(width * 8, v) : v;
}

export function writeIntLE(row: Uint8Array, offset: number, width: number, value: bigint): void {
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    row[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The byte offset of column `col` in `row`. */
export function columnOffset(table: TableCodec, row: Uint8Array, col: number): number {
  return readerAtColumn(table, row, col, scratchReader).offset;
}
