/**
 * @module
 * Lazy reads over any `TableReader`: the reader's own `iterate*` methods when it has them
 * (the LMDB snapshot, the batch overlay), else its array methods, reversed and cut to the limit
 * here, so callers can always stream and stop early.
 */
import { WasmbaseError } from '../protocol/index.js';
import type { IndexRange, ReadOptions, TableReader } from './store-types.js';

/** `options.limit` checked: a non-negative safe integer, or undefined for no limit. */
export function readLimit(options: ReadOptions | undefined): number | undefined {
  const limit = options?.limit;
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `a read limit must be a non-negative integer, not ${String(limit)}`,
      { limit: String(limit) },
    );
  }
  return limit;
}

function cut(
  rows: Uint8Array[],
  alreadyReversed: boolean,
  options: ReadOptions | undefined,
): Uint8Array[] {
  const limit = readLimit(options);
  const ordered = options?.reverse === true && !alreadyReversed ? rows.reverse() : rows;
  return limit === undefined || ordered.length <= limit ? ordered : ordered.slice(0, limit);
}

/** Every row of a table in primary-key order (see `TableReader.scan`), lazily. */
export function lazyScan(
  reader: TableReader,
  tableId: number,
  options?: ReadOptions,
): Iterable<Uint8Array> {
  if (reader.iterateScan !== undefined) return reader.iterateScan(tableId, options);
  return cut(reader.scan(tableId), false, options);
}

/** Rows whose index key equals `key`, in index order, lazily. */
export function lazyIndexPoint(
  reader: TableReader,
  indexId: number,
  key: Uint8Array,
  options?: ReadOptions,
): Iterable<Uint8Array> {
  if (reader.iterateIndexPoint !== undefined)
    return reader.iterateIndexPoint(indexId, key, options);
  return cut(reader.scanIndexPoint(indexId, key), false, options);
}

/** Rows within `range`, in index order (backwards with `reverse`), lazily. */
export function lazyIndexRange(
  reader: TableReader,
  indexId: number,
  range: IndexRange,
  options?: ReadOptions,
): Iterable<Uint8Array> {
  if (reader.iterateIndexRange !== undefined)
    return reader.iterateIndexRange(indexId, range, options);
  return cut(reader.scanIndexRange(indexId, range, options?.reverse === true), true, options);
}
