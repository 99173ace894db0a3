/**
 * @module
 * The key/value view the table logic reads through: LMDB directly (`LmdbKv`) or LMDB plus an
 * in-memory overlay of uncommitted writes (`OverlayKv`). Keys compare as unsigned bytes.
 */
import type { RootDatabase, Transaction } from 'lmdb';

export interface KvEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface KvReader {
  get(key: Uint8Array): Uint8Array | undefined;
  /** Entries with start <= key < end, ascending (or descending when `reverse`). */
  range(start: Uint8Array, end: Uint8Array, reverse?: boolean): KvEntry[];
  /**
   * The entries of `range` (at most `limit` of them), read as the consumer pulls them. Do not
   * write to this reader while iterating; leave the loop (or call `return`) to free the cursor.
   */
  iterate(start: Uint8Array, end: Uint8Array, reverse?: boolean, limit?: number): Iterable<KvEntry>;
}

/** Reads committed data from an LMDB environment (in this thread's current read snapshot). */
export class LmdbKv implements KvReader {
  readonly #options: { transaction: Transaction } | undefined;

  constructor(
    private readonly db: RootDatabase<Uint8Array, Uint8Array>,
    transaction?: Transaction,
  ) {
    this.#options = transaction === undefined ? undefined : { transaction };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    // lmdb-js accepts read options (the pinned transaction) although its typings omit them.
    const getBinary = this.db.getBinary as (
      id: Uint8Array,
      options?: { transaction: Transaction },
    ) => Uint8Array | undefined;
    const v = getBinary.call(this.db, key, this.#options);
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  range(start: Uint8Array, end: Uint8Array, reverse = false): KvEntry[] {
    return Array.from(this.iterate(start, end, reverse));
  }

  iterate(start: Uint8Array, end: Uint8Array, reverse = false, limit?: number): Iterable<KvEntry> {
    // lmdb-js reads 0 as "no limit".
    if (limit === 0) return [];
    // A reverse cursor starts at `start` and walks down to `end`; the flags keep [start, end).
    const bounds = reverse
      ? {
          start: end as Buffer,
          end: start as Buffer,
          reverse: true,
          exclusiveStart: true,
          inclusiveEnd: true,
        }
      : { start: start as Buffer, end: end as Buffer };
    return this.db.getRange({
      ...bounds,
      ...(limit === undefined ? {} : { limit }),
      ...this.#options,
    }) as Iterable<KvEntry>;
  }
}

/** Latin-1 strings of key bytes compare exactly like the bytes. */
export function keyString(key: Uint8Array): string {
  // Hot: short keys are cheaper to build by hand than through a Buffer.
  if (key.length <= 24) {
    let s = '';
    for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]!);
    return s;
  }
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export function keyFromString(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

const DELETED = null;
/** Base reads remembered per overlay (bounded, so a huge scan cannot hold everything). */
const READ_CACHE_LIMIT = 65_536;
type Slot = Uint8Array | typeof DELETED;

/**
 * Uncommitted writes over a base reader, with savepoints. `null` marks a deletion.
 */
export class OverlayKv implements KvReader {
  readonly #base: KvReader;
  readonly #map = new Map<string, Slot>();
  readonly #reads = new Map<string, Slot>();
  #sorted: string[] | undefined = [];
  /** Undo journal of the open savepoint: key → previous slot (undefined = was absent). */
  #journal: Map<string, Slot | undefined> | undefined;
  #journalOpen = false;

  constructor(base: KvReader) {
    this.#base = base;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const k = keyString(key);
    const slot = this.#map.get(k);
    if (slot !== undefined) return slot === DELETED ? undefined : slot;
    // The base is one snapshot for the life of this overlay, so its answers can be remembered.
    let cached = this.#reads.get(k);
    if (cached === undefined) {
      cached = this.#base.get(key) ?? DELETED;
      if (this.#reads.size < READ_CACHE_LIMIT) this.#reads.set(k, cached);
    }
    return cached === DELETED ? undefined : cached;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#set(keyString(key), value);
  }

  delete(key: Uint8Array): void {
    this.#set(keyString(key), DELETED);
  }

  #set(k: string, slot: Slot): void {
    const had = this.#map.has(k);
    if (this.#journalOpen && !this.#journal!.has(k))
      this.#journal!.set(k, had ? this.#map.get(k) : undefined);
    if (!had) this.#sorted = undefined;
    this.#map.set(k, slot);
  }

  /** Starts recording changes so they can be undone with `rollback`. */
  savepoint(): void {
    this.#journal ??= new Map();
    this.#journal.clear();
    this.#journalOpen = true;
  }

  /** Keeps the changes since `savepoint`. */
  release(): void {
    this.#journalOpen = false;
  }

  /** Undoes the changes since `savepoint`. */
  rollback(): void {
    const journal = this.#journal;
    if (!this.#journalOpen || journal === undefined) return;
    this.#journalOpen = false;
    for (const [k, prev] of journal) {
      if (prev === undefined) {
        this.#map.delete(k);
        this.#sorted = undefined;
      } else this.#map.set(k, prev);
    }
  }

  #sortedKeys(): string[] {
    if (this.#sorted === undefined) this.#sorted = [...this.#map.keys()].sort();
    return this.#sorted;
  }

  range(start: Uint8Array, end: Uint8Array, reverse = false): KvEntry[] {
    return Array.from(this.#merge(start, end, reverse, Infinity));
  }

  iterate(start: Uint8Array, end: Uint8Array, reverse = false, limit?: number): Iterable<KvEntry> {
    return this.#merge(start, end, reverse, limit ?? Infinity);
  }

  /**
   * Merges the base range (read lazily, and without a limit: pending deletions may hide base
   * entries) with the pending writes in [start, end), walking both in the same direction.
   */
  *#merge(start: Uint8Array, end: Uint8Array, reverse: boolean, limit: number): Generator<KvEntry> {
    if (limit <= 0) return;
    const keys = this.#sortedKeys();
    const lo = keyString(start);
    const hi = keyString(end);
    const step = reverse ? -1 : 1;
    let i = reverse ? lowerBound(keys, hi) - 1 : lowerBound(keys, lo);
    const base = this.#base.iterate(start, end, reverse)[Symbol.iterator]();
    let emitted = 0;
    // The base's head entry, fetched only when the consumer asks for the next entry.
    let head: IteratorResult<KvEntry> | undefined;
    let bk: string | undefined;
    try {
      while (emitted < limit) {
        if (head === undefined) {
          head = base.next();
          bk = head.done === true ? undefined : keyString(head.value.key);
        }
        const ok =
          i >= 0 && i < keys.length && (reverse ? keys[i]! >= lo : keys[i]! < hi)
            ? keys[i]!
            : undefined;
        if (ok === undefined && bk === undefined) return;
        // The pending write comes first when its key is next in walking order (or equal: it
        // shadows the base).
        if (ok !== undefined && (bk === undefined || (reverse ? ok >= bk : ok <= bk))) {
          i += step;
          if (ok === bk) head = undefined;
          const slot = this.#map.get(ok)!;
          if (slot !== DELETED) {
            emitted++;
            yield { key: keyFromString(ok), value: slot };
          }
        } else {
          const entry = (head as IteratorYieldResult<KvEntry>).value;
          head = undefined;
          emitted++;
          yield entry;
        }
      }
    } finally {
      base.return?.();
    }
  }

  /** Every pending write in key order: value, or null for a deletion. */
  entries(): [Uint8Array, Uint8Array | null][] {
    return this.#sortedKeys().map(k => [keyFromString(k), this.#map.get(k)!]);
  }
}

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
