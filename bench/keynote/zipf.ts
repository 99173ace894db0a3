/**
 * @module
 * The keynote workload's account pairs: a seeded Zipf sampler over the account ids (alpha 0 is
 * uniform), pairs of distinct accounts drawn from it and precomputed once, and the offset at
 * which each client starts reading them. Every target is driven by the same pairs.
 */

/** The seed of the keynote benchmark's generator (SpacetimeDB's keynote-2 uses the same). */
export const KEYNOTE_SEED = 0x12345678;

/** How often `pickTwoDistinct` re-draws `to` when it equals `from` before giving up. */
export const MAX_REDRAWS = 32;

/** mulberry32: a small 32-bit generator, uniform in [0, 1). Deterministic for a seed. */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A sampler of account ids in [0, n): id k has weight 1 / (k + 1)^alpha, so id 0 is the hottest.
 * alpha <= 0 is uniform. For alpha > 0 the cumulative distribution is precomputed (with Kahan
 * summation, so the tail of a 100k-entry sum keeps its precision) and searched by bisection.
 */
export function zipfSampler(n: number, alpha: number, rand: () => number): () => number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`zipf: n must be a positive integer, got ${n}`);
  if (!Number.isFinite(alpha)) throw new RangeError(`zipf: alpha must be finite, got ${alpha}`);
  if (alpha <= 0) return () => Math.floor(rand() * n);
  const cdf = new Float64Array(n);
  let sum = 0;
  let carry = 0;
  for (let k = 0; k < n; k++) {
    const y = Math.pow(k + 1, -alpha) - carry;
    const t = sum + y;
    carry = t - sum - y;
    sum = t;
    cdf[k] = sum;
  }
  for (let k = 0; k < n; k++) cdf[k] = cdf[k]! / sum;
  cdf[n - 1] = 1;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * Two distinct ids: `to` is re-drawn up to MAX_REDRAWS times while it equals `from`; if it still
 * does (only plausible with tiny n or extreme skew), the next id is taken so the pair stays valid.
 */
export function pickTwoDistinct(sample: () => number, n: number): [number, number] {
  const from = sample();
  let to = sample();
  for (let i = 0; i < MAX_REDRAWS && to === from; i++) to = sample();
  if (to === from) to = (from + 1) % n;
  return [from, to];
}

/**
 * `count` precomputed (from, to) pairs, flattened: pair i is [2i] → [2i + 1]. Backed by a
 * SharedArrayBuffer so load-generator threads read it without copies.
 */
export function precomputePairs(
  accounts: number,
  alpha: number,
  count: number,
  seed = KEYNOTE_SEED,
): Uint32Array {
  if (accounts < 2) throw new RangeError(`pairs need at least 2 accounts, got ${accounts}`);
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`pair count must be a positive integer, got ${count}`);
  const sample = zipfSampler(accounts, alpha, mulberry32(seed));
  const out = new Uint32Array(new SharedArrayBuffer(count * 2 * Uint32Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < count; i++) {
    const [from, to] = pickTwoDistinct(sample, accounts);
    out[i * 2] = from;
    out[i * 2 + 1] = to;
  }
  return out;
}

/** Where client `index` of `clients` starts reading `pairCount` pairs (evenly spread, §8.1). */
export function clientOffset(index: number, clients: number, pairCount: number): number {
  return (index * Math.floor(pairCount / clients)) % pairCount;
}
