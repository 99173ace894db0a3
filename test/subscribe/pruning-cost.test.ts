/**
 * The cost of a small transaction with many subscribed queries: 10,000 distinct queries pinned
 * to a value each (single-table and joined), against the same number of unpinned queries. A
 * 1-row transaction must evaluate exactly the one query whose pinned value it touches; the
 * timings are printed (they vary with the machine, so only the counts and the order of
 * magnitude are asserted).
 */
import { describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import type { CallChanges, ReadTx } from '../../runtime/store/index.js';
import { compileSubscription, SubscriptionRegistry } from '../../runtime/subscribe/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { newStore, runBatch, seed, type Write } from './subscribe-fixtures.js';

const QUERIES = 10_000;

const schema = buildSchema([
  {
    name: 'owner',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'name', type: T.string },
    ],
  },
  {
    name: 'item',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'owner', type: T.u32, index: true },
      { name: 'v', type: T.u32 },
    ],
  },
]);

const store = newStore(schema);
seed(store, {
  owner: Array.from({ length: QUERIES }, (_, i): AlgebraicValue[] => [i, `o${i}`]),
  item: Array.from({ length: 2 * QUERIES }, (_, i): AlgebraicValue[] => [i, i % QUERIES, 0]),
});

/** Median milliseconds of `fn` over `runs` runs. */
function median(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

function registryOf(sql: (k: number) => string): { reg: SubscriptionRegistry<number>; ms: number } {
  const reg = new SubscriptionRegistry<number>(schema);
  const t = performance.now();
  for (let k = 0; k < QUERIES; k++)
    reg.add(compileSubscription(schema, sql(k), { isOwner: true }), k);
  return { reg, ms: performance.now() - t };
}

/** One committed 1-row transaction, and the snapshot after it. */
function oneRow(write: Write): { calls: CallChanges[]; after: ReadTx } {
  return runBatch(store, [[write]]);
}

let bump = 1;
const report: string[] = [];

describe(`pruning with ${QUERIES} queries`, () => {
  it('a 1-row transaction evaluates only the pinned query it touches (single table)', () => {
    const pinned = registryOf(k => `SELECT * FROM item WHERE owner = ${k}`);
    const unpinned = registryOf(k => `SELECT * FROM item WHERE owner >= ${k} AND owner <= ${k}`);
    expect(pinned.reg.size).toBe(QUERIES);
    expect(unpinned.reg.size).toBe(QUERIES);
    const { calls, after } = oneRow({ op: 'update', table: 'item', row: [4242, 4242, bump++] });
    try {
      const before = pinned.reg.evaluations;
      const deltas = pinned.reg.evaluateBatch(calls, after);
      expect(pinned.reg.evaluations - before).toBe(1);
      expect(deltas[0]!.map(d => [...d.shared.subscribers])).toEqual([[4242]]);
      const pinnedMs = median(200, () => pinned.reg.evaluateBatch(calls, after));
      const u0 = unpinned.reg.evaluations;
      const unpinnedMs = median(5, () => unpinned.reg.evaluateBatch(calls, after));
      expect(unpinned.reg.evaluations - u0).toBe(5 * QUERIES);
      report.push(
        `single table: registering ${QUERIES} pinned queries ${pinned.ms.toFixed(0)} ms; 1-row transaction ${(pinnedMs * 1000).toFixed(0)} µs pinned (1 evaluation) vs ${unpinnedMs.toFixed(1)} ms unpinned (${QUERIES} evaluations)`,
      );
      expect(pinnedMs * 20).toBeLessThan(unpinnedMs);
    } finally {
      after.close();
    }
  });

  it('a pin carried across a join prunes both tables', () => {
    const joined = registryOf(
      k => `SELECT i.* FROM owner o JOIN item i ON i.owner = o.id WHERE o.id = ${k}`,
    );
    for (const write of [
      { op: 'update', table: 'item', row: [777, 777, bump++] },
      { op: 'update', table: 'owner', row: [777, `renamed${bump++}`] },
    ] satisfies Write[]) {
      const { calls, after } = oneRow(write);
      try {
        const before = joined.reg.evaluations;
        const deltas = joined.reg.evaluateBatch(calls, after);
        expect(joined.reg.evaluations - before).toBe(1);
        // The owner's rename leaves the item rows as they are: no delta; the item update is one.
        expect(deltas[0]!.length).toBe(write.table === 'item' ? 1 : 0);
        const ms = median(200, () => joined.reg.evaluateBatch(calls, after));
        report.push(
          `join: 1-row transaction on ${write.table} with ${QUERIES} pinned join queries ${(ms * 1000).toFixed(0)} µs (1 evaluation)`,
        );
      } finally {
        after.close();
      }
    }
    report.push(`join: registering ${QUERIES} queries ${joined.ms.toFixed(0)} ms`);
    console.log(`pruning cost:\n  ${report.join('\n  ')}`);
  });
});
