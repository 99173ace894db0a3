import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketHigh,
  bucketLow,
  bucketOf,
  HISTOGRAM_BUCKETS,
  HISTOGRAM_MAX_MICROS,
  LatencyHistogram,
} from '../../../bench/keynote/histogram.js';

const RUNS = process.env['LONG_TESTS'] === '1' ? 100_000 : 2_000;
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
process.stdout.write(`histogram property tests: seed ${seed}, ${RUNS} runs\n`);

describe('latency histogram buckets', () => {
  it('every value lies in its bucket, and a bucket is at most 1/64 of its value wide', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: HISTOGRAM_MAX_MICROS }), v => {
        const b = bucketOf(v);
        const width = bucketHigh(b) - bucketLow(b) + 1;
        return (
          b >= 0 &&
          b < HISTOGRAM_BUCKETS &&
          bucketLow(b) <= v &&
          v <= bucketHigh(b) &&
          (v < 128 ? width === 1 : width <= v / 64)
        );
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('buckets are contiguous and ordered', () => {
    for (let b = 1; b < HISTOGRAM_BUCKETS; b++) expect(bucketLow(b)).toBe(bucketHigh(b - 1) + 1);
    expect(bucketHigh(HISTOGRAM_BUCKETS - 1)).toBe(HISTOGRAM_MAX_MICROS);
  });

  it('clamps out-of-range values', () => {
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1e12)).toBe(HISTOGRAM_BUCKETS - 1);
    expect(bucketOf(12.7)).toBe(12);
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles within the bucket precision', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 10_000; v++) h.record(v * 10); // 10 µs … 100 ms
    expect(h.total).toBe(10_000);
    for (const [p, exact] of [
      [50, 50_000],
      [95, 95_000],
      [99, 99_000],
      [100, 100_000],
    ] as const) {
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 64));
    }
    expect(Math.abs(h.mean() - 50_005) / 50_005).toBeLessThan(0.02);
    expect(h.maxMicros()).toBeGreaterThanOrEqual(100_000);
  });

  it('is NaN when empty, and merging adds counts', () => {
    const a = new LatencyHistogram();
    expect(a.percentile(50)).toBeNaN();
    a.record(100);
    const b = new LatencyHistogram();
    b.record(5_000);
    b.record(5_000);
    a.merge(b);
    a.merge(new LatencyHistogram(new Float64Array(b.counts)).counts);
    expect(a.total).toBe(5);
    expect(a.percentile(20)).toBe(100);
    expect(a.percentile(21)).toBeGreaterThanOrEqual(5_000);
  });
});
