/**
 * @module
 * Counts of things held open per key (WebSocket connections per identity and per address).
 * A key is tracked only while its count is above zero, so memory follows the number of open
 * connections, each of which costs far more than its entry here.
 */
export class OpenCounts {
  readonly #counts = new Map<string, number>();

  /** Keys with something open. */
  get size(): number {
    return this.#counts.size;
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** Adds one to `key` unless it already holds `max`; true when added. */
  tryAcquire(key: string, max: number): boolean {
    const held = this.count(key);
    if (held >= max) return false;
    this.#counts.set(key, held + 1);
    return true;
  }

  release(key: string): void {
    const left = this.count(key) - 1;
    if (left <= 0) this.#counts.delete(key);
    else this.#counts.set(key, left);
  }
}
