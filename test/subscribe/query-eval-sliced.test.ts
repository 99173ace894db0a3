/**
 * `evaluateSubscriptionSliced` gives the same rows, in the same order, as `evaluateSubscription`
 * while yielding to the event loop every few rows; its snapshot is the one it started on even
 * when a commit lands between slices; and its pace sees each returned row's bytes (a pace that
 * throws stops it).
 */
import { describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  evaluateSubscriptionSliced,
  type EvaluatePace,
} from '../../runtime/subscribe/index.js';
import { NONE, newStore, runBatch, schema, seed, some } from './subscribe-fixtures.js';

const PEOPLE = 400;
const cities = ['paris', 'london', 'rome'];
const DATA: Record<string, AlgebraicValue[][]> = {
  person: Array.from({ length: PEOPLE }, (_, i) => [
    i + 1,
    `p${i}`,
    20 + (i % 30),
    cities[i % 3]!,
    i % 2 === 0 ? some('n') : NONE,
    i / 4,
  ]),
  pet: Array.from({ length: 200 }, (_, i) => [i + 1, (i % PEOPLE) + 1, 'cat', 1, NONE]),
  vet: [],
  visit: [],
};

const store = newStore();
seed(store, DATA);

/** A pace that ends a slice every `every` rows and records what it was given. */
function recordingPace(every: number) {
  const seen = { rows: 0, bytes: 0, slices: 0 };
  const pace: EvaluatePace = {
    add(bytes) {
      seen.bytes += bytes;
      if (++seen.rows % every !== 0) return undefined;
      seen.slices++;
      return new Promise(resolve => setImmediate(resolve));
    },
    count(bytes) {
      seen.bytes += bytes;
    },
  };
  return { pace, seen };
}

const QUERIES = [
  'SELECT * FROM person',
  "SELECT * FROM person WHERE city = 'rome' AND age > 30",
  'SELECT pet.* FROM pet JOIN person ON pet.owner = person.id WHERE person.age < 25',
];

describe('sliced initial evaluation', () => {
  it.each(QUERIES)('equals the one-shot evaluation: %s', async sql => {
    const q = compileSubscription(schema, sql, { isOwner: true });
    const reader = store.read();
    try {
      const whole = evaluateSubscription(q, reader);
      const { pace, seen } = recordingPace(7);
      const sliced = await evaluateSubscriptionSliced(q, reader, pace);
      expect(sliced.length).toBe(whole.length);
      expect(sliced.map(r => Buffer.from(r).toString('hex'))).toEqual(
        whole.map(r => Buffer.from(r).toString('hex')),
      );
      expect(seen.bytes).toBe(whole.reduce((n, r) => n + r.length, 0));
      expect(seen.slices).toBeGreaterThan(1);
    } finally {
      reader.close();
    }
  });

  it('reads its own snapshot while a commit lands between slices', async () => {
    const s = newStore();
    seed(s, DATA);
    const q = compileSubscription(schema, 'SELECT * FROM person', { isOwner: true });
    const reader = s.read();
    try {
      const before = evaluateSubscription(q, reader);
      let wrote = false;
      const pace: EvaluatePace = {
        add: () => {
          if (wrote) return undefined;
          wrote = true;
          const row = [PEOPLE + 1, 'late', 99, 'oslo', NONE, 0];
          runBatch(s, [[{ op: 'insert', table: 'person', row }]]).after.close();
          return new Promise(resolve => setImmediate(resolve));
        },
        count: () => undefined,
      };
      const sliced = await evaluateSubscriptionSliced(q, reader, pace);
      expect(wrote).toBe(true);
      expect(sliced.length).toBe(before.length);
      const fresh = s.read();
      try {
        expect(evaluateSubscription(q, fresh).length).toBe(PEOPLE + 1);
      } finally {
        fresh.close();
      }
    } finally {
      reader.close();
    }
  });

  it('stops when the pace throws (a byte limit)', async () => {
    const q = compileSubscription(schema, 'SELECT * FROM person', { isOwner: true });
    const reader = store.read();
    let rows = 0;
    const pace: EvaluatePace = {
      add: () => {
        if (++rows > 10) throw new Error('over');
        return undefined;
      },
      count: () => undefined,
    };
    try {
      await expect(evaluateSubscriptionSliced(q, reader, pace)).rejects.toThrow('over');
      expect(rows).toBe(11);
    } finally {
      reader.close();
    }
  });
});
