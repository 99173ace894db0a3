/**
 * Initial evaluation and per-call deltas of each query construct, on a real store: filters of
 * every operator, NULLs, 2- and 3-way joins (also through Option columns), and multisets.
 */
import { describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  SubscriptionRegistry,
} from '../../runtime/subscribe/index.js';
import type { CompiledSubscription } from '../../runtime/subscribe/index.js';
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

const DATA: Record<string, AlgebraicValue[][]> = {
  person: [
    [1, 'ann', 30, 'paris', some('a'), 1.5],
    [2, 'bob', 25, 'london', NONE, 2],
    [3, 'cy', 35, 'paris', NONE, -1],
    [4, 'di', 25, 'rome', some('d'), 0],
  ],
  pet: [
    [1, 1, 'cat', 4.5, some(1)],
    [2, 1, 'dog', 10, NONE],
    [3, 3, 'fish', 0.1, some(2)],
    [4, 9, 'cat', 3, some(1)],
  ],
  vet: [
    [1, 'paris'],
    [2, 'rome'],
  ],
  visit: [
    [1, 'louvre'],
    [2, 'tower'],
  ],
};

const store = newStore();
seed(store, DATA);

const compile = (sql: string): CompiledSubscription =>
  compileSubscription(schema, sql, { isOwner: true });

/** The query's current rows, decoded and sorted. */
function rows(sql: string): string[] {
  const q = compile(sql);
  const r = store.read();
  try {
    return show(schema, q.tableName, evaluateSubscription(q, r));
  } finally {
    r.close();
  }
}

const person = (...ids: number[]): string[] =>
  ids.map(id => JSON.stringify(DATA['person']!.find(r => r[0] === id))).sort();
const pet = (...ids: number[]): string[] =>
  ids.map(id => JSON.stringify(DATA['pet']!.find(r => r[0] === id))).sort();

describe('initial evaluation', () => {
  it('single table, with every comparison operator', () => {
    expect(rows('SELECT * FROM person')).toEqual(person(1, 2, 3, 4));
    expect(rows('SELECT * FROM person WHERE age = 25')).toEqual(person(2, 4));
    expect(rows('SELECT * FROM person WHERE age != 25')).toEqual(person(1, 3));
    expect(rows('SELECT * FROM person WHERE age <> 25')).toEqual(person(1, 3));
    expect(rows('SELECT * FROM person WHERE age < 30')).toEqual(person(2, 4));
    expect(rows('SELECT * FROM person WHERE age <= 30')).toEqual(person(1, 2, 4));
    expect(rows('SELECT * FROM person WHERE age > 30')).toEqual(person(3));
    expect(rows('SELECT * FROM person WHERE age >= 30')).toEqual(person(1, 3));
    expect(rows("SELECT * FROM person WHERE city = 'paris'")).toEqual(person(1, 3));
    expect(rows("SELECT * FROM person WHERE name < 'bz'")).toEqual(person(1, 2));
    expect(rows('SELECT * FROM person WHERE score < 1.5')).toEqual(person(3, 4));
    expect(rows('SELECT * FROM person WHERE id = 3')).toEqual(person(3));
  });

  it('AND, OR, NOT, IS NULL and comparisons with NULL', () => {
    expect(rows("SELECT * FROM person WHERE age = 25 AND city = 'rome'")).toEqual(person(4));
    expect(rows("SELECT * FROM person WHERE age = 35 OR city = 'rome'")).toEqual(person(3, 4));
    expect(rows('SELECT * FROM person WHERE NOT age = 25')).toEqual(person(1, 3));
    expect(rows('SELECT * FROM person WHERE nick IS NULL')).toEqual(person(2, 3));
    expect(rows('SELECT * FROM person WHERE nick IS NOT NULL')).toEqual(person(1, 4));
    expect(rows("SELECT * FROM person WHERE nick = 'a'")).toEqual(person(1));
    // A comparison with NULL is unknown, and so is its negation: no row either way.
    expect(rows("SELECT * FROM person WHERE nick != 'a'")).toEqual(person(4));
    expect(rows("SELECT * FROM person WHERE NOT nick = 'a'")).toEqual(person(4));
    expect(rows('SELECT * FROM person WHERE nick = NULL')).toEqual([]);
    expect(rows('SELECT * FROM person WHERE FALSE')).toEqual([]);
    expect(rows('SELECT * FROM person WHERE 1 = 1')).toEqual(person(1, 2, 3, 4));
  });

  it('2-way joins return a row once per match', () => {
    expect(rows('SELECT p.* FROM person p JOIN pet q ON q.owner = p.id')).toEqual(person(1, 1, 3));
    expect(rows('SELECT q.* FROM person p JOIN pet q ON q.owner = p.id')).toEqual(pet(1, 2, 3));
    expect(
      rows("SELECT p.* FROM person p JOIN pet q ON q.owner = p.id WHERE q.kind = 'cat'"),
    ).toEqual(person(1));
    expect(rows('SELECT q.* FROM pet q JOIN person p ON q.owner = p.id WHERE p.id < q.id')).toEqual(
      pet(2),
    );
    expect(
      rows('SELECT q.* FROM pet q JOIN person p ON q.owner = p.id WHERE p.score < q.weight'),
    ).toEqual(pet(1, 2, 3));
    expect(
      rows(
        'SELECT q.* FROM pet q JOIN person p ON q.owner = p.id WHERE p.age > 30 OR q.weight > 5',
      ),
    ).toEqual(pet(2, 3));
    // Through an Option column: pets without a vet match nothing.
    expect(rows('SELECT v.* FROM pet q JOIN vet v ON q.vet = v.id')).toEqual([
      '[1,"paris"]',
      '[1,"paris"]',
      '[2,"rome"]',
    ]);
  });

  it('3-way joins', () => {
    expect(
      rows(
        "SELECT v.* FROM person p JOIN pet q ON q.owner = p.id JOIN vet v ON v.id = q.vet WHERE p.city = 'paris'",
      ),
    ).toEqual(['[1,"paris"]', '[2,"rome"]']);
    expect(
      rows(
        'SELECT p.* FROM person p JOIN pet q ON q.owner = p.id JOIN vet v ON v.id = q.vet WHERE v.city = p.city',
      ),
    ).toEqual(person(1));
    // A self-join: people of the same age.
    expect(
      rows('SELECT a.* FROM person a JOIN person b ON a.age = b.age WHERE a.id != b.id'),
    ).toEqual(person(2, 4));
  });
});

describe('deltas per call', () => {
  const db = newStore();
  seed(db, DATA);

  /** Runs one batch with one subscriber per query; returns each call's deltas as decoded text. */
  function deltas(
    sqls: readonly string[],
    calls: readonly (readonly Write[])[],
  ): { sql: string; inserts: string[]; deletes: string[] }[][] {
    const reg = new SubscriptionRegistry<string>(schema);
    for (const sql of sqls) reg.add(compile(sql), sql);
    const { calls: changes, after } = runBatch(db, calls);
    try {
      return reg.evaluateBatch(changes, after).map(list =>
        list.map(d => ({
          sql: [...d.shared.subscribers][0]!,
          inserts: show(schema, d.shared.query.tableName, d.inserts),
          deletes: show(schema, d.shared.query.tableName, d.deletes),
        })),
      );
    } finally {
      after.close();
    }
  }

  it('single table: inserts, updates and deletes that enter and leave the filter', () => {
    const q = 'SELECT * FROM person WHERE age >= 30';
    const out = deltas(
      [q],
      [
        [{ op: 'insert', table: 'person', row: [10, 'eve', 40, 'oslo', NONE, 0] }],
        [{ op: 'insert', table: 'person', row: [11, 'fay', 20, 'oslo', NONE, 0] }],
        [{ op: 'update', table: 'person', row: [11, 'fay', 31, 'oslo', NONE, 0] }],
        [{ op: 'update', table: 'person', row: [10, 'eve', 41, 'oslo', NONE, 0] }],
        [
          { op: 'update', table: 'person', row: [10, 'eve', 1, 'oslo', NONE, 0] },
          { op: 'delete', table: 'person', row: [11, 'fay', 31, 'oslo', NONE, 0] },
        ],
        [{ op: 'delete', table: 'person', row: [10, 'eve', 1, 'oslo', NONE, 0] }],
      ],
    );
    expect(out).toEqual([
      [{ sql: q, inserts: ['[10,"eve",40,"oslo",{"tag":1,"value":[]},0]'], deletes: [] }],
      [],
      [{ sql: q, inserts: ['[11,"fay",31,"oslo",{"tag":1,"value":[]},0]'], deletes: [] }],
      [
        {
          sql: q,
          inserts: ['[10,"eve",41,"oslo",{"tag":1,"value":[]},0]'],
          deletes: ['[10,"eve",40,"oslo",{"tag":1,"value":[]},0]'],
        },
      ],
      [
        {
          sql: q,
          inserts: [],
          deletes: [
            '[10,"eve",41,"oslo",{"tag":1,"value":[]},0]',
            '[11,"fay",31,"oslo",{"tag":1,"value":[]},0]',
          ],
        },
      ],
      [],
    ]);
  });

  it('2-way join: partner rows entering and leaving move the returned rows; unrelated changes cancel', () => {
    const q = 'SELECT p.* FROM person p JOIN pet q ON q.owner = p.id';
    const ann = person(1)[0]!;
    const out = deltas(
      [q],
      [
        [{ op: 'insert', table: 'pet', row: [20, 1, 'owl', 1, NONE] }],
        // The pet changes but still matches ann: she leaves and comes back, which cancels.
        [{ op: 'update', table: 'pet', row: [20, 1, 'bat', 1, NONE] }],
        [{ op: 'update', table: 'pet', row: [20, 2, 'bat', 1, NONE] }],
        [{ op: 'delete', table: 'pet', row: [20, 2, 'bat', 1, NONE] }],
        // Ann herself changes: once per pet of hers.
        [{ op: 'update', table: 'person', row: [1, 'ann', 31, 'paris', some('a'), 1.5] }],
        [{ op: 'update', table: 'person', row: [1, 'ann', 30, 'paris', some('a'), 1.5] }],
      ],
    );
    const bob = person(2)[0]!;
    const ann31 = '[1,"ann",31,"paris",{"tag":0,"value":"a"},1.5]';
    expect(out).toEqual([
      [{ sql: q, inserts: [ann], deletes: [] }],
      [],
      [{ sql: q, inserts: [bob], deletes: [ann] }],
      [{ sql: q, inserts: [], deletes: [bob] }],
      [{ sql: q, inserts: [ann31, ann31], deletes: [ann, ann] }],
      [{ sql: q, inserts: [ann, ann], deletes: [ann31, ann31] }],
    ]);
  });

  it('2-way join where both sides change in one call', () => {
    const q = 'SELECT q.* FROM person p JOIN pet q ON q.owner = p.id';
    const out = deltas(
      [q],
      [
        [
          { op: 'insert', table: 'person', row: [30, 'gus', 50, 'oslo', NONE, 0] },
          { op: 'insert', table: 'pet', row: [30, 30, 'cow', 1, NONE] },
          { op: 'insert', table: 'pet', row: [31, 30, 'pig', 1, NONE] },
        ],
        [
          { op: 'delete', table: 'person', row: [30, 'gus', 50, 'oslo', NONE, 0] },
          { op: 'update', table: 'pet', row: [31, 30, 'hog', 1, NONE] },
        ],
        [
          { op: 'delete', table: 'pet', row: [30, 30, 'cow', 1, NONE] },
          { op: 'delete', table: 'pet', row: [31, 30, 'hog', 1, NONE] },
        ],
      ],
    );
    const empty = { tag: 1, value: [] };
    const cow = JSON.stringify([30, 30, 'cow', 1, empty]);
    const pig = JSON.stringify([31, 30, 'pig', 1, empty]);
    expect(out).toEqual([
      [{ sql: q, inserts: [cow, pig], deletes: [] }],
      [{ sql: q, inserts: [], deletes: [cow, pig] }],
      [],
    ]);
  });

  it('3-way join through an Option column', () => {
    const q =
      'SELECT v.* FROM person p JOIN pet q ON q.owner = p.id JOIN vet v ON v.id = q.vet WHERE p.age = 25';
    const out = deltas(
      [q],
      [
        [{ op: 'insert', table: 'pet', row: [40, 2, 'ant', 1, some(2)] }],
        [{ op: 'update', table: 'vet', row: [2, 'nice'] }],
        [{ op: 'update', table: 'person', row: [2, 'bob', 26, 'london', NONE, 2] }],
        [
          { op: 'update', table: 'pet', row: [40, 4, 'ant', 1, some(1)] },
          { op: 'update', table: 'person', row: [2, 'bob', 25, 'london', NONE, 2] },
        ],
      ],
    );
    expect(out).toEqual([
      [{ sql: q, inserts: ['[2,"rome"]'], deletes: [] }],
      [{ sql: q, inserts: ['[2,"nice"]'], deletes: ['[2,"rome"]'] }],
      [{ sql: q, inserts: [], deletes: ['[2,"nice"]'] }],
      [{ sql: q, inserts: ['[1,"paris"]'], deletes: [] }],
    ]);
  });

  it('a row inserted and deleted by later calls of one batch is seen in each call', () => {
    const q = "SELECT * FROM vet WHERE city = 'oslo'";
    const out = deltas(
      [q],
      [
        [{ op: 'insert', table: 'vet', row: [50, 'oslo'] }],
        [{ op: 'delete', table: 'vet', row: [50, 'oslo'] }],
        [{ op: 'insert', table: 'vet', row: [50, 'oslo'] }],
        [
          { op: 'delete', table: 'vet', row: [50, 'oslo'] },
          { op: 'insert', table: 'vet', row: [50, 'oslo'] },
        ],
        [{ op: 'delete', table: 'vet', row: [50, 'oslo'] }],
      ],
    );
    expect(out).toEqual([
      [{ sql: q, inserts: ['[50,"oslo"]'], deletes: [] }],
      [{ sql: q, inserts: [], deletes: ['[50,"oslo"]'] }],
      [{ sql: q, inserts: ['[50,"oslo"]'], deletes: [] }],
      [],
      [{ sql: q, inserts: [], deletes: ['[50,"oslo"]'] }],
    ]);
  });
});
