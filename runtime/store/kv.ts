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
    const getBinary = this.db.getBinary as (id: Uint8Array, options?: { transaction: Transaction }) => Uint8Array | undefined;
    const v = getBinary.call(this.db, key, this.#options);
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  range(start: Uint8Array, end: Uint8Array, reverse = false): KvEntry[] {
    const out: KvEntry[] = [];
    for (const { key, value } of this.db.getRange({ start: start as Buffer, end: end as Buffer, ...this.#options })) {
      out.push({ key: key as Uint8Array, value: value as Uint8Array });
    }
    return reverse ? out.reverse() : out;
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
    if (this.#journalOpen && !this.#journal!.has(k)) this.#journal!.set(k, had ? this.#map.get(k) : undefined);
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
    const base = this.#base.range(start, end, false);
    const keys = this.#sortedKeys();
    const lo = keyString(start);
    const hi = keyString(end);
    let i = lowerBound(keys, lo);
    const merged: KvEntry[] = [];
    let b = 0;
    while (b < base.length || (i < keys.length && keys[i]! < hi)) {
      const ok = i < keys.length && keys[i]! < hi ? keys[i]! : undefined;
      const bk = b < base.length ? keyString(base[b]!.key) : undefined;
      if (ok !== undefined && (bk === undefined || ok <= bk)) {
        const slot = this.#map.get(ok)!;
        if (slot !== DELETED) merged.push({ key: keyFromString(ok), value: slot });
        if (ok === bk) b++;
        i++;
      } else {
        merged.push(base[b]!);
        b++;
      }
    }
    return reverse ? merged.reverse() : merged;
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
