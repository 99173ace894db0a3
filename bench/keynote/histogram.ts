/**
 * @module
 * A small HDR-style latency histogram in microseconds: exact below 128 µs, then 64 linear
 * sub-buckets per power of two (at most 1/64 ≈ 1.6% relative error), up to 2^31 µs. Fixed size,
 * so threads can ship their counts as one array and the harness merges them by addition.
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64
const LINEAR = 2 * SUB; // values below this get their own bucket
const MAX_SHIFT = 30 - SUB_BITS; // the largest shift: values up to 2^31 - 1
export const HISTOGRAM_BUCKETS = LINEAR + MAX_SHIFT * SUB;
export const HISTOGRAM_MAX_MICROS = 2 ** 31 - 1;

/** The bucket of a value in µs (negative → 0, beyond the range → the last bucket). */
export function bucketOf(micros: number): number {
  const v =
    micros <= 0 ? 0 : micros >= HISTOGRAM_MAX_MICROS ? HISTOGRAM_MAX_MICROS : Math.floor(micros);
  if (v < LINEAR) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS; // >= 1
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** The smallest value in µs that falls in `bucket`. */
export function bucketLow(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const shift = Math.floor((bucket - LINEAR) / SUB) + 1;
  const mantissa = ((bucket - LINEAR) % SUB) + SUB;
  return mantissa * 2 ** shift;
}

/** The largest value in µs that falls in `bucket`. */
export function bucketHigh(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const shift = Math.floor((bucket - LINEAR) / SUB) + 1;
  return bucketLow(bucket) + 2 ** shift - 1;
}

export class LatencyHistogram {
  readonly counts: Float64Array;
  #total = 0;
  #max = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(HISTOGRAM_BUCKETS);
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (c > 0) {
        this.#total += c;
        this.#max = i;
      }
    }
  }

  get total(): number {
    return this.#total;
  }

  record(micros: number): void {
    const b = bucketOf(micros);
    this.counts[b]! += 1;
    this.#total++;
    if (b > this.#max) this.#max = b;
  }

  merge(other: LatencyHistogram | Float64Array): void {
    const counts = other instanceof LatencyHistogram ? other.counts : other;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      this.counts[i]! += c;
      this.#total += c;
      if (i > this.#max) this.#max = i;
    }
  }

  /**
   * The value at percentile `p` (0–100) in µs: the upper edge of the bucket holding that rank,
   * so a reported p99 is never below the true one by more than the bucket width. NaN if empty.
   */
  percentile(p: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.#total));
    let seen = 0;
    for (let i = 0; i <= this.#max; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return bucketHigh(i);
    }
    return bucketHigh(this.#max);
  }

  /** Mean of the bucket midpoints, in µs. NaN if empty. */
  mean(): number {
    if (this.#total === 0) return NaN;
    let sum = 0;
    for (let i = 0; i <= this.#max; i++) {
      const c = this.counts[i]!;
      if (c > 0) sum += c * ((bucketLow(i) + bucketHigh(i)) / 2);
    }
    return sum / this.#total;
  }

  maxMicros(): number {
    return this.#total === 0 ? NaN : bucketHigh(this.#max);
  }
}
