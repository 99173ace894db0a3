/**
 * @module
 * A least-recently-used map bounded by bytes rather than entries. An entry's size is asked of
 * `sizeOf` whenever the budget is enforced, because it changes while the entry lives (a module
 * instance's linear memory grows during calls). `enforce` drops the least recently used entries
 * until the total fits, but never the entry named `keep` (the one in use right now): one entry
 * larger than the whole budget stays until something else is used. Every entry that leaves
 * (evicted, deleted or cleared) is handed to `onEvict` exactly once.
 */

export interface ByteBudgetLruOptions<V> {
  /** Most bytes the entries may hold together after `enforce`. */
  readonly budgetBytes: number;
  readonly sizeOf: (value: V) => number;
  readonly onEvict: (key: string, value: V) => void;
}

export class ByteBudgetLru<V> {
  readonly #options: ByteBudgetLruOptions<V>;
  /** Map order is use order: the first key is the least recently used. */
  readonly #entries = new Map<string, V>();
  #evictions = 0;

  constructor(options: ByteBudgetLruOptions<V>) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get budgetBytes(): number {
    return this.#options.budgetBytes;
  }

  /** Entries dropped by `enforce` so far (not counting `delete`). */
  get evictions(): number {
    return this.#evictions;
  }

  /** The value, marked as the most recently used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** The value, without marking it as used. */
  peek(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** Adds or replaces an entry as the most recently used (a replaced value is evicted). */
  set(key: string, value: V): void {
    const old = this.#entries.get(key);
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (old !== undefined && old !== value) this.#options.onEvict(key, old);
  }

  delete(key: string): boolean {
    const value = this.#entries.get(key);
    if (value === undefined) return false;
    this.#entries.delete(key);
    this.#options.onEvict(key, value);
    return true;
  }

  /** Deletes every entry `match` selects; returns how many. */
  deleteWhere(match: (key: string, value: V) => boolean): number {
    let n = 0;
    for (const [key, value] of [...this.#entries]) if (match(key, value) && this.delete(key)) n++;
    return n;
  }

  /** Keys from the least to the most recently used. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** The current total of `sizeOf` over all entries. */
  totalBytes(): number {
    let total = 0;
    for (const value of this.#entries.values()) total += this.#options.sizeOf(value);
    return total;
  }

  /** Evicts least recently used entries (never `keep`) until the total fits the budget. */
  enforce(keep?: string): void {
    let total = this.totalBytes();
    for (const [key, value] of [...this.#entries]) {
      if (total <= this.#options.budgetBytes) return;
      if (key === keep) continue;
      total -= this.#options.sizeOf(value);
      this.#entries.delete(key);
      this.#evictions++;
      this.#options.onEvict(key, value);
    }
  }
}
