/**
 * @module
 * Token buckets keyed by a string (an identity, an address), with bounded memory.
 *
 * Each key has a bucket of `capacity` tokens that refills at `perSecond` tokens a second; a
 * request takes one token or is refused with the time until one is there. A key seen for the
 * first time starts full, so a bucket that has refilled completely carries no information: it
 * is dropped, which is how idle keys expire. The map is kept in least-recently-used order (a
 * key is moved to the end on every use), so idle keys gather at the front and each `take`
 * sweeps a few of them. When `maxKeys` keys are tracked and none is idle, the least recently
 * used is dropped anyway: that key starts full again next time (the table fails open for it
 * rather than refusing everybody once an attacker has filled it with addresses).
 *
 * Time comes from an injected clock (milliseconds), so tests step it instead of sleeping.
 */

/** Milliseconds from some fixed origin (`performance.now`, `Date.now` or a test's own). */
export type Clock = () => number;

export interface BucketRate {
  /** Tokens a full bucket holds: the burst a key may spend at once. */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

/** A `take` answer: allowed, or refused with the wait until a token is there. */
export type TakeResult =
  { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** Clock time `tokens` was computed at. */
  at: number;
}

/** Idle keys dropped from the front of the map per `take` (amortised expiry). */
const SWEEP_PER_TAKE = 4;

const OK: TakeResult = { ok: true };

export class TokenBuckets {
  readonly rate: BucketRate;
  readonly maxKeys: number;
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: BucketRate, maxKeys: number, clock: Clock) {
    if (!(rate.capacity >= 1) || !(rate.perSecond > 0))
      throw new RangeError('a bucket needs capacity ≥ 1 and a positive refill rate');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be ≥ 1');
    this.rate = rate;
    this.maxKeys = maxKeys;
    this.#clock = clock;
    this.#perMs = rate.perSecond / 1000;
  }

  /** Keys tracked now (never more than `maxKeys`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token from `key`'s bucket, or says how long until one is there. */
  take(key: string): TakeResult {
    const now = this.#clock();
    const bucket = this.#current(key, now);
    this.#sweep(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return OK;
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.#perMs) };
  }

  /** `key`'s bucket refilled up to `now`, taken out of the map (it is put back at the end). */
  #current(key: string, now: number): Bucket {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return { tokens: this.rate.capacity, at: now };
    this.#buckets.delete(key);
    // A clock that goes backwards adds nothing.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.rate.capacity, bucket.tokens + elapsed * this.#perMs);
    bucket.at = now;
    return bucket;
  }

  /** Drops idle keys from the front; makes room for one more key when at the cap. */
  #sweep(now: number): void {
    let swept = 0;
    for (const [key, bucket] of this.#buckets) {
      if (swept >= SWEEP_PER_TAKE) break;
      const refilled = bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs;
      if (refilled < this.rate.capacity) break;
      this.#buckets.delete(key);
      swept++;
    }
    while (this.#buckets.size >= this.maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done === true) break;
      this.#buckets.delete(oldest.value);
    }
  }
}
