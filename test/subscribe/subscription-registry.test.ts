/**
 * The registry: query sharing, pruning by pinned values and by table, subscriber bookkeeping
 * and the row limit.
 */
import { describe, expect, it } from 'vitest';
import { WasmbaseError, type AlgebraicValue } from '../../runtime/protocol/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  SubscriptionRegistry,
} from '../../runtime/subscribe/index.js';
import type { CompiledSubscription, QueryDelta } from '../../runtime/subscribe/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import {
  NONE,
  newStore,
  runBatch,
  schema,
  seed,
  show,
  some,
  type Write,
} from './subscribe-fixtures.js';

const compile = (sql: string): CompiledSubscription =>
  compileSubscription(schema, sql, { isOwner: true });

const DATA: Record<string, AlgebraicValue[][]> = {
  person: [
    [1, 'ann', 30, 'paris', some('a'), 1.5],
    [2, 'bob', 25, 'london', NONE, 2],
  ],
  pet: [[1, 1, 'cat', 4.5, NONE]],
  vet: [[1, 'paris']],
};

function run<S>(
  reg: SubscriptionRegistry<S>,
  calls: readonly (readonly Write[])[],
): QueryDelta<S>[][] {
  const store = newStore();
  seed(store, DATA);
  const { calls: changes, after } = runBatch(store, calls);
  try {
    return reg.evaluateBatch(changes, after);
  } finally {
    after.close();
  }
}

describe('SubscriptionRegistry', () => {
  it('shares identical queries: one evaluation per call, one delta for every subscriber', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    const a = reg.add(compile('SELECT * FROM person WHERE age > 20'), 'a');
    const b = reg.add(compile('select * from person where 20 < age'), 'b');
    expect(a).toBe(b);
    expect(reg.size).toBe(1);
    expect([...a.subscribers]).toEqual(['a', 'b']);
    const out = run(reg, [
      [{ op: 'insert', table: 'person', row: [3, 'cy', 40, 'rome', NONE, 0] }],
      [{ op: 'update', table: 'person', row: [3, 'cy', 41, 'rome', NONE, 0] }],
    ]);
    expect(reg.evaluations).toBe(2);
    expect(out.map(l => l.length)).toEqual([1, 1]);
    expect(out[0]![0]!.shared).toBe(a);
    expect(out[1]![0]!.inserts).toHaveLength(1);
    expect(out[1]![0]!.deletes).toHaveLength(1);
  });

  it('drops a shared query with its last subscriber', () => {
    const reg = new SubscriptionRegistry<number>(schema);
    const q1 = compile('SELECT * FROM vet');
    const q2 = compile('SELECT x.* FROM vet AS x');
    reg.add(q1, 1);
    reg.add(q2, 2);
    reg.add(q1, 1);
    expect(reg.size).toBe(1);
    reg.remove(q1, 1);
    expect(reg.size).toBe(1);
    reg.remove(q1, 3);
    reg.remove(q2, 2);
    expect(reg.size).toBe(0);
    reg.remove(q2, 2);
    expect(run(reg, [[{ op: 'insert', table: 'vet', row: [2, 'rome'] }]])).toEqual([[]]);
    expect(reg.evaluations).toBe(0);
  });

  it('evaluates only queries on the tables a call changed', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    reg.add(compile('SELECT * FROM person'), 'person');
    reg.add(compile('SELECT * FROM pet'), 'pet');
    reg.add(compile('SELECT p.* FROM person p JOIN pet q ON q.owner = p.id'), 'join');
    const out = run(reg, [
      [{ op: 'insert', table: 'vet', row: [2, 'rome'] }],
      [{ op: 'insert', table: 'pet', row: [2, 2, 'dog', 1, NONE] }],
      [],
    ]);
    expect(reg.evaluations).toBe(2);
    expect(out.map(l => l.map(d => [...d.shared.subscribers][0]).sort())).toEqual([
      [],
      ['join', 'pet'],
      [],
    ]);
  });

  it('prunes queries whose pinned value the changed rows do not hold', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    for (const age of [25, 30, 40])
      reg.add(compile(`SELECT * FROM person WHERE age = ${age} AND city != 'x'`), `age${age}`);
    reg.add(compile("SELECT * FROM person WHERE city = 'rome' AND age = 40"), 'rome');
    reg.add(compile('SELECT * FROM person WHERE age > 26'), 'unpinned');
    reg.add(compile("SELECT * FROM person WHERE nick = 'z'"), 'nick');
    // Pinned on pet only: changes to person must still reach it through the join.
    reg.add(
      compile("SELECT p.* FROM person p JOIN pet q ON q.owner = p.id WHERE q.kind = 'cat'"),
      'join',
    );
    const before = reg.evaluations;
    const out = run(reg, [
      // bob 25 → 40: the delete holds 25, the insert 40 (and city rome).
      [{ op: 'update', table: 'person', row: [2, 'bob', 40, 'rome', NONE, 2] }],
      [{ op: 'insert', table: 'person', row: [5, 'eve', 33, 'oslo', some('z'), 0] }],
      [{ op: 'insert', table: 'pet', row: [7, 2, 'dog', 1, NONE] }],
      [{ op: 'insert', table: 'pet', row: [8, 2, 'cat', 1, NONE] }],
    ]);
    const names = out.map(l => l.map(d => [...d.shared.subscribers][0]!).sort());
    expect(names).toEqual([
      ['age25', 'age40', 'rome', 'unpinned'],
      ['nick', 'unpinned'],
      [],
      ['join'],
    ]);
    // Evaluated: call 0: age25, age40, rome, unpinned, join (person is unpinned in it); call 1:
    // unpinned, nick, join; call 2: nothing (the dog is not a cat); call 3: join.
    expect(reg.evaluations - before).toBe(5 + 3 + 0 + 1);
  });

  it('carries a pin across a join equality to the other table', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    // p.id = 1 pins person; q.owner = p.id then pins pet's owner to 1 as well.
    reg.add(compile('SELECT q.* FROM person p JOIN pet q ON q.owner = p.id WHERE p.id = 1'), 'ann');
    reg.add(compile('SELECT q.* FROM person p JOIN pet q ON q.owner = p.id WHERE p.id = 2'), 'bob');
    const out = run(reg, [
      [{ op: 'insert', table: 'pet', row: [11, 2, 'eel', 1, NONE] }],
      [{ op: 'insert', table: 'pet', row: [12, 7, 'eel', 1, NONE] }],
      [{ op: 'update', table: 'person', row: [1, 'ann', 31, 'paris', some('a'), 1.5] }],
    ]);
    expect(out.map(l => l.map(d => [...d.shared.subscribers][0]))).toEqual([['bob'], [], []]);
    // Call 0: bob's query only; call 1: none; call 2: ann's (her pet is unchanged: an empty delta).
    expect(reg.evaluations).toBe(2);
  });

  it('pins an Option column by its payload', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    reg.add(compile('SELECT * FROM pet WHERE vet = 1'), 'v1');
    reg.add(compile('SELECT * FROM pet WHERE vet = 2'), 'v2');
    const out = run(reg, [
      [{ op: 'insert', table: 'pet', row: [9, 1, 'eel', 1, some(2)] }],
      [{ op: 'insert', table: 'pet', row: [10, 1, 'eel', 1, NONE] }],
    ]);
    expect(out.map(l => l.map(d => [...d.shared.subscribers][0]))).toEqual([['v2'], []]);
    expect(reg.evaluations).toBe(1);
  });

  it('never evaluates a query whose condition is constantly false', () => {
    const reg = new SubscriptionRegistry<string>(schema);
    reg.add(compile('SELECT * FROM person WHERE 1 = 2'), 'never');
    expect(
      run(reg, [[{ op: 'insert', table: 'person', row: [3, 'cy', 40, 'rome', NONE, 0] }]]),
    ).toEqual([[]]);
    expect(reg.evaluations).toBe(0);
  });

  it('refuses queries compiled against another schema', () => {
    const other = buildSchema([
      { name: 'person', columns: [{ name: 'id', type: T.u32, pk: true }] },
    ]);
    const reg = new SubscriptionRegistry<string>(schema);
    const err = (() => {
      try {
        reg.add(compileSubscription(other, 'SELECT * FROM person', { isOwner: true }), 'x');
      } catch (e) {
        return e as WasmbaseError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('INVALID_ARGUMENT');
    expect(() => reg.add({ key: 'k', sql: 's', tableId: 0, tableName: 'person' }, 'y')).toThrow(
      /not a compiled subscription/,
    );
  });
});

describe('row limit', () => {
  const three: Write[] = [7, 8, 9].map(id => ({ op: 'insert', table: 'vet', row: [id, 'oslo'] }));

  it('fails an initial evaluation past maxRows with SQL_ROW_LIMIT naming the limit', () => {
    const store = newStore();
    seed(store, {
      vet: [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    });
    const r = store.read();
    try {
      expect(evaluateSubscription(compile('SELECT * FROM vet'), r, { maxRows: 3 })).toHaveLength(3);
      const err = (() => {
        try {
          evaluateSubscription(compile('SELECT * FROM vet'), r, { maxRows: 2 });
        } catch (e) {
          return e as WasmbaseError;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(WasmbaseError);
      expect(err!.code).toBe('SQL_ROW_LIMIT');
      expect(err!.details).toEqual({ limit: 2 });
      expect(err!.message).toMatch(/more than 2 rows, the subscription row limit/);
      // Join results are bounded too.
      expect(() =>
        evaluateSubscription(compile('SELECT a.* FROM vet a JOIN vet b ON a.id = b.id'), r, {
          maxRows: 2,
        }),
      ).toThrow(/more than 2 rows/);
    } finally {
      r.close();
    }
  });

  it('fails the batch by default, or only the query with errors: per-query', () => {
    const strict = new SubscriptionRegistry<string>(schema, { maxRows: 2 });
    strict.add(compile('SELECT * FROM vet'), 'all');
    expect(() => run(strict, [three])).toThrow(/more than 2 rows/);

    const lenient = new SubscriptionRegistry<string>(schema, { maxRows: 2, errors: 'per-query' });
    lenient.add(compile('SELECT * FROM vet'), 'all');
    lenient.add(compile('SELECT * FROM vet WHERE id = 8'), 'one');
    const [deltas] = run(lenient, [three]);
    const all = deltas!.find(d => d.shared.subscribers.has('all'))!;
    expect(all.error?.code).toBe('SQL_ROW_LIMIT');
    expect(all.inserts).toEqual([]);
    const one = deltas!.find(d => d.shared.subscribers.has('one'))!;
    expect(one.error).toBeUndefined();
    expect(show(schema, 'vet', one.inserts)).toEqual(['[8,"oslo"]']);
  });
});
