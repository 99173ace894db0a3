import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientOffset,
  KEYNOTE_SEED,
  mulberry32,
  pickTwoDistinct,
  precomputePairs,
  zipfSampler,
} from '../../../bench/keynote/zipf.js';

const RUNS = process.env['LONG_TESTS'] === '1' ? 2_000 : 100;
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
process.stdout.write(`zipf property tests: seed ${seed}, ${RUNS} runs\n`);

describe('mulberry32', () => {
  it('is deterministic for a seed and stays in [0, 1)', () => {
    const a = mulberry32(KEYNOTE_SEED);
    const b = mulberry32(KEYNOTE_SEED);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every(x => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(1)()).not.toBe(xs[0]);
  });
});

describe('zipfSampler', () => {
  it('alpha 0 is uniform: every id about equally often', () => {
    const n = 10;
    const sample = zipfSampler(n, 0, mulberry32(KEYNOTE_SEED));
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < 100_000; i++) counts[sample()]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('alpha 1.5 follows 1/k^1.5: id 0 gets its share of the normalised weight', () => {
    const n = 100_000;
    const sample = zipfSampler(n, 1.5, mulberry32(KEYNOTE_SEED));
    let total = 0;
    for (let k = 1; k <= n; k++) total += k ** -1.5;
    const counts = new Map<number, number>();
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      const id = sample();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const k of [0, 1, 9]) {
      const expected = ((k + 1) ** -1.5 / total) * draws;
      expect(Math.abs((counts.get(k) ?? 0) - expected) / expected).toBeLessThan(0.05);
    }
  });

  it('always returns an id in [0, n)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer(),
        (n, alpha, s) => {
          const sample = zipfSampler(n, alpha, mulberry32(s));
          for (let i = 0; i < 50; i++) {
            const id = sample();
            if (!Number.isInteger(id) || id < 0 || id >= n) return false;
          }
          return true;
        },
      ),
      { seed, numRuns: RUNS },
    );
  });

  it('refuses a bad n or alpha', () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow(/positive integer/);
    expect(() => zipfSampler(10, Number.NaN, Math.random)).toThrow(/finite/);
  });
});

describe('pairs', () => {
  it('pickTwoDistinct never returns the same account twice, even when the sampler is stuck', () => {
    expect(pickTwoDistinct(() => 3, 10)).toEqual([3, 4]);
    expect(pickTwoDistinct(() => 9, 10)).toEqual([9, 0]);
    const seq = [5, 5, 5, 7];
    expect(pickTwoDistinct(() => seq.shift()!, 10)).toEqual([5, 7]);
  });

  it('precomputed pairs are deterministic, distinct, in range and shared', () => {
    const a = precomputePairs(1_000, 1.5, 5_000);
    const b = precomputePairs(1_000, 1.5, 5_000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    for (let i = 0; i < 5_000; i++) {
      expect(a[i * 2]).not.toBe(a[i * 2 + 1]);
      expect(a[i * 2]!).toBeLessThan(1_000);
      expect(a[i * 2 + 1]!).toBeLessThan(1_000);
    }
    // Skew: with alpha 1.5 account 0 is in far more pairs than with alpha 0.
    const uniform = precomputePairs(1_000, 0, 5_000);
    const hits = (p: Uint32Array) => p.filter(x => x === 0).length;
    expect(hits(a)).toBeGreaterThan(20 * Math.max(1, hits(uniform)));
  });

  it('clients start at evenly spread offsets', () => {
    expect(Array.from({ length: 4 }, (_, i) => clientOffset(i, 4, 1_000))).toEqual([
      0, 250, 500, 750,
    ]);
    expect(clientOffset(63, 64, 10_000_000)).toBe(63 * 156_250);
    expect(clientOffset(2, 3, 2)).toBe(0);
  });
});
