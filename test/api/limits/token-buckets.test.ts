/** Token buckets keyed by string: burst, refill, wait times, idle expiry, the key cap. */
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../runtime/api/index.js';

/** A clock the test steps by hand. */
function manualClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

describe('TokenBuckets', () => {
  it('allows a burst of capacity, then refuses with the wait until one token is back', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 3, perSecond: 3 }, 100, clock.now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    // 3 per second: one token every 333.3 ms.
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 334 });
    clock.advance(200);
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 134 });
    clock.advance(134);
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a').ok).toBe(false);
  });

  it('refills at the rate and never beyond capacity', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 2, perSecond: 1 }, 100, clock.now);
    buckets.take('a');
    buckets.take('a');
    clock.advance(60_000);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('keeps keys apart: one key spending its bucket leaves the others full', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 1, perSecond: 1 }, 100, clock.now);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.take('b').ok).toBe(true);
    expect(buckets.take('c').ok).toBe(true);
  });

  it('counts a per-minute rate: capacity N refilled at N/60 per second', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 6, perSecond: 6 / 60 }, 100, clock.now);
    for (let i = 0; i < 6; i++) expect(buckets.take('ip').ok).toBe(true);
    expect(buckets.take('ip')).toEqual({ ok: false, retryAfterMs: 10_000 });
    clock.advance(10_000);
    expect(buckets.take('ip').ok).toBe(true);
  });

  it('adds nothing when the clock goes backwards', () => {
    const clock = manualClock(50_000);
    const buckets = new TokenBuckets({ capacity: 1, perSecond: 1 }, 100, clock.now);
    expect(buckets.take('a').ok).toBe(true);
    clock.set(10_000);
    expect(buckets.take('a').ok).toBe(false);
  });

  it('drops keys whose bucket refilled completely (idle keys expire)', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 2, perSecond: 2 }, 1000, clock.now);
    for (let i = 0; i < 50; i++) buckets.take(`idle${i}`);
    expect(buckets.size).toBe(50);
    clock.advance(1000);
    // Each take sweeps a few idle keys from the front; a bounded number of takes clears them.
    for (let i = 0; i < 20; i++) buckets.take('busy');
    expect(buckets.size).toBe(1);
  });

  it('never tracks more than maxKeys: the least recently used key goes first', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 1, perSecond: 1 }, 4, clock.now);
    for (const key of ['a', 'b', 'c', 'd']) expect(buckets.take(key).ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false); // a is now the most recently used
    for (let i = 0; i < 100; i++) buckets.take(`spray${i}`);
    expect(buckets.size).toBe(4);
    // a was evicted by the spray, so it starts full again (the table fails open, not closed).
    expect(buckets.take('a').ok).toBe(true);
  });

  it('refuses impossible settings', () => {
    const now = () => 0;
    expect(() => new TokenBuckets({ capacity: 0, perSecond: 1 }, 10, now)).toThrow(RangeError);
    expect(() => new TokenBuckets({ capacity: 1, perSecond: 0 }, 10, now)).toThrow(RangeError);
    expect(() => new TokenBuckets({ capacity: 1, perSecond: 1 }, 0, now)).toThrow(RangeError);
  });
});
