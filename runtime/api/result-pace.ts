/**
 * @module
 * How big results are built without stalling the server (issue 12): a `ResultPace` is handed
 * every row's encoded size as the row is made. It counts the bytes against the result's limit
 * (`RESULT_TOO_LARGE` naming the flag as soon as the total passes it, before the rest is read)
 * and, once the current slice holds enough rows or bytes or has run long enough, returns a
 * promise that resolves on the next turn of the event loop (`setImmediate`), so pings, other
 * databases and other clients are served between slices. Between slices the caller keeps its
 * read snapshot open (`DatabaseHandle.readAsync`).
 *
 * Hot loops call `const wait = pace.add(n); if (wait !== undefined) await wait;` so a row that
 * does not end a slice costs no promise.
 */
import { WasmbaseError } from '../protocol/index.js';

/** When a slice ends: whichever of these is reached first. */
export interface SliceOptions {
  readonly rows: number;
  readonly bytes: number;
  /** Milliseconds of work in one slice (checked every 64 rows). */
  readonly millis: number;
}

/** Slices of at most 8,192 rows, 1 MiB or 4 ms. */
export const DEFAULT_SLICE: SliceOptions = Object.freeze({
  rows: 8192,
  bytes: 1024 * 1024,
  millis: 4,
});

/** The byte limit of one result, and how the error names it. */
export interface ResultLimit {
  readonly maxBytes: number;
  /** The CLI flag that sets the limit, without dashes (`sql-max-result-bytes`). */
  readonly flag: string;
  /** What is limited, for the message ("the SQL result"). */
  readonly what: string;
}

/** The error of a result over its limit: 413 `RESULT_TOO_LARGE`, naming the flag. */
export function resultTooLarge(limit: ResultLimit): WasmbaseError {
  return new WasmbaseError(
    'RESULT_TOO_LARGE',
    `${limit.what} is larger than ${limit.maxBytes} bytes, the limit (--${limit.flag}); ` +
      'select fewer rows or columns, add a LIMIT or a narrower WHERE',
    { limit: limit.maxBytes, flag: limit.flag },
  );
}

const nextTurn = (): Promise<void> => new Promise(resolve => setImmediate(resolve));

export class ResultPace {
  readonly #limit: ResultLimit;
  readonly #slice: SliceOptions;
  #total = 0;
  #rows = 0;
  #bytes = 0;
  #started = performance.now();
  /** How many times a slice ended (the caller yielded). */
  #slices = 0;

  constructor(limit: ResultLimit, slice: SliceOptions = DEFAULT_SLICE) {
    this.#limit = limit;
    this.#slice = slice;
  }

  /** Bytes counted so far. */
  get total(): number {
    return this.#total;
  }

  /** Slices ended so far. */
  get slices(): number {
    return this.#slices;
  }

  /** Counts `bytes` without ending a slice; throws once the total passes the limit. */
  count(bytes: number): void {
    this.#total += bytes;
    if (this.#total > this.#limit.maxBytes) throw resultTooLarge(this.#limit);
  }

  /**
   * Counts one row of `bytes` (throws past the limit); returns a promise to await when the
   * slice is full, else undefined.
   */
  add(bytes: number): Promise<void> | undefined {
    this.count(bytes);
    this.#bytes += bytes;
    const rows = ++this.#rows;
    const s = this.#slice;
    if (rows < s.rows && this.#bytes < s.bytes) {
      if ((rows & 63) !== 0 || performance.now() - this.#started < s.millis) return undefined;
    }
    return this.yield();
  }

  /** Ends the slice now: resolves on the next turn of the event loop. */
  async yield(): Promise<void> {
    this.#slices++;
    this.#rows = 0;
    this.#bytes = 0;
    await nextTurn();
    this.#started = performance.now();
  }
}
