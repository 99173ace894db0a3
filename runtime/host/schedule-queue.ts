/**
 * @module
 * The scheduler's due queue: a binary min-heap of (due time, key) with lazy removal. An entry
 * is re-pushed with a new version whenever its due time changes; stale versions are dropped
 * when they reach the top, so every operation is O(log n) without searching the heap.
 */

export interface DueItem {
  readonly due: bigint;
  readonly key: string;
  readonly version: number;
  /** Insertion order, so equal due times come out first-in first-out. */
  readonly seq: number;
}

function before(a: DueItem, b: DueItem): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class DueQueue {
  readonly #heap: DueItem[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(due: bigint, key: string, version: number): void {
    const heap = this.#heap;
    heap.push({ due, key, version, seq: this.#seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The earliest item for which `live` holds; stale items on top are discarded. */
  peek(live: (item: DueItem) => boolean): DueItem | undefined {
    while (this.#heap.length > 0 && !live(this.#heap[0]!)) this.pop();
    return this.#heap[0];
  }

  pop(): DueItem | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
    return top;
  }

  clear(): void {
    this.#heap.length = 0;
  }
}
