/**
 * The bounded top-k heap behind ORDER BY … LIMIT: the same items as a full stable sort cut to
 * k, for random inputs with many ties (seeded; the seed is printed; LONG_TESTS=1 runs ten times
 * as many cases), holding at most k items at any time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortKeeping, TopK } from '../../runtime/sql/index.js';

const SEED = Number(process.env['SQL_TOPK_SEED'] ?? Date.now() % 1_000_000_007);
const RUNS = process.env['LONG_TESTS'] === '1' ? 10_000 : 1_000;
console.log(
  `sql top-k property test: seed ${SEED}, ${RUNS} runs (SQL_TOPK_SEED=${SEED} to replay)`,
);

interface Item {
  readonly key: number;
  readonly at: number;
}
const byKey = (a: Item, b: Item): number => a.key - b.key;
const byKeyDesc = (a: Item, b: Item): number => b.key - a.key;

describe('top-k', () => {
  it('keeps what a stable full sort keeps, in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 300 }),
        fc.nat(40),
        fc.boolean(),
        (keys, k, desc) => {
          const items = keys.map((key, at) => ({ key, at }));
          const cmp = desc ? byKeyDesc : byKey;
          const expected = [...items].sort(cmp).slice(0, k);
          let most = 0;
          const got = sortKeeping(items, cmp, k, n => void (most = Math.max(most, n)));
          expect(got).toEqual(expected);
          expect(most).toBeLessThanOrEqual(k);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('sorts everything when nothing bounds it', () => {
    const items = [3, 1, 2, 1, 3].map((key, at) => ({ key, at }));
    expect(sortKeeping(items, byKey, Infinity).map(i => i.at)).toEqual([1, 3, 2, 0, 4]);
  });

  it('holds nothing for k = 0 and reports its size', () => {
    const heap = new TopK<Item>(0, byKey);
    heap.offer({ key: 1, at: 0 });
    expect(heap.size).toBe(0);
    expect(heap.sorted()).toEqual([]);
    const two = new TopK<Item>(2, byKey);
    for (const key of [5, 4, 3, 4, 1]) two.offer({ key, at: key });
    expect(two.size).toBe(2);
    expect(two.sorted().map(i => i.key)).toEqual([1, 3]);
  });
});
