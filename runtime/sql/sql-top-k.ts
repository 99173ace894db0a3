/**
 * @module
 * ORDER BY without an index: a bounded top-k heap when OFFSET + LIMIT is finite (memory
 * O(k), time O(n log k)), else a full sort. Both are stable: rows that compare equal keep
 * their arrival order, so a LIMIT cuts ties the way a full sort followed by a slice would.
 */

/** Keeps the `k` smallest items (by `cmp`, then arrival order) of what it is offered. */
export class TopK<T> {
  // A binary max-heap: the root is the item that leaves first when a smaller one arrives.
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];
  #arrivals = 0;

  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  /** Number of items held (at most k). */
  get size(): number {
    return this.#items.length;
  }

  /** a after b in output order. */
  #after(i: number, j: number): boolean {
    const c = this.cmp(this.#items[i]!, this.#items[j]!);
    return c !== 0 ? c > 0 : this.#seqs[i]! > this.#seqs[j]!;
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const seqs = this.#seqs;
    [items[i], items[j]] = [items[j]!, items[i]!];
    [seqs[i], seqs[j]] = [seqs[j]!, seqs[i]!];
  }

  offer(item: T): void {
    const seq = this.#arrivals++;
    const items = this.#items;
    if (this.k <= 0) return;
    if (items.length < this.k) {
      items.push(item);
      this.#seqs.push(seq);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#after(i, parent)) break;
        this.#swap(i, parent);
        i = parent;
      }
      return;
    }
    // Full: a newcomer replaces the root only if it sorts strictly before it (ties: the earlier
    // stays).
    if (this.cmp(item, items[0]!) >= 0) return;
    items[0] = item;
    this.#seqs[0] = seq;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < items.length && this.#after(l, top)) top = l;
      if (r < items.length && this.#after(r, top)) top = r;
      if (top === i) return;
      this.#swap(i, top);
      i = top;
    }
  }

  /** The items held, in output order. */
  sorted(): T[] {
    const order = this.#items.map((_, i) => i);
    order.sort(
      (i, j) => this.cmp(this.#items[i]!, this.#items[j]!) || this.#seqs[i]! - this.#seqs[j]!,
    );
    return order.map(i => this.#items[i]!);
  }
}

/**
 * The first `keep` items of `items` in `cmp` order (stable). With `keep` finite, memory stays
 * O(keep). `onBuffered`, if given, sees the number of items held after each one (to fail early
 * on a row limit).
 */
export function sortKeeping<T>(
  items: Iterable<T>,
  cmp: (a: T, b: T) => number,
  keep: number,
  onBuffered?: (n: number) => void,
): T[] {
  if (Number.isFinite(keep)) {
    const heap = new TopK<T>(keep, cmp);
    for (const item of items) {
      heap.offer(item);
      onBuffered?.(heap.size);
    }
    return heap.sorted();
  }
  const buf: T[] = [];
  for (const item of items) {
    buf.push(item);
    onBuffered?.(buf.length);
  }
  return buf.sort(cmp);
}
