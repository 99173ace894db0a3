/**
 * TableReader wrappers for tests that count the rows the SQL engine actually pulls from the
 * store: `ArrayCountingReader` offers only the array methods (the engine falls back to them),
 * `LazyCountingReader` also the lazy `iterate*` methods.
 */
import {
  lazyIndexPoint,
  lazyIndexRange,
  lazyScan,
  type IndexRange,
  type ReadOptions,
  type TableReader,
} from '../../runtime/store/index.js';

export class ArrayCountingReader implements TableReader {
  /** Rows handed to the engine. */
  rowsRead = 0;
  /** Calls of `count`. */
  countCalls = 0;

  constructor(protected readonly inner: TableReader) {}

  protected counted(rows: Uint8Array[]): Uint8Array[] {
    this.rowsRead += rows.length;
    return rows;
  }

  count(tableId: number): number {
    this.countCalls++;
    return this.inner.count(tableId);
  }

  scan(tableId: number): Uint8Array[] {
    return this.counted(this.inner.scan(tableId));
  }

  findUnique(indexId: number, key: Uint8Array): Uint8Array | undefined {
    const row = this.inner.findUnique(indexId, key);
    if (row !== undefined) this.rowsRead++;
    return row;
  }

  scanIndexPoint(indexId: number, key: Uint8Array): Uint8Array[] {
    return this.counted(this.inner.scanIndexPoint(indexId, key));
  }

  scanIndexRange(indexId: number, range: IndexRange, reverse?: boolean): Uint8Array[] {
    return this.counted(this.inner.scanIndexRange(indexId, range, reverse));
  }
}

export class LazyCountingReader extends ArrayCountingReader {
  /** Lazy reads started, and those started but neither finished nor closed (leaked cursors). */
  iterations = 0;
  open = 0;

  *#pulled(rows: Iterable<Uint8Array>): Generator<Uint8Array> {
    this.iterations++;
    this.open++;
    try {
      for (const row of rows) {
        this.rowsRead++;
        yield row;
      }
    } finally {
      this.open--;
    }
  }

  iterateScan(tableId: number, options?: ReadOptions): Iterable<Uint8Array> {
    return this.#pulled(lazyScan(this.inner, tableId, options));
  }

  iterateIndexPoint(indexId: number, key: Uint8Array, options?: ReadOptions): Iterable<Uint8Array> {
    return this.#pulled(lazyIndexPoint(this.inner, indexId, key, options));
  }

  iterateIndexRange(
    indexId: number,
    range: IndexRange,
    options?: ReadOptions,
  ): Iterable<Uint8Array> {
    return this.#pulled(lazyIndexRange(this.inner, indexId, range, options));
  }
}
