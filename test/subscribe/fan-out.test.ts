/**
 * `fanOut`: a committed batch's changes and the registry become, per call, each client's share
 * of the row deltas, tagged with its query set. Clients with the same share get the same
 * (frozen) array; a (delta, query set) pair is one object shared by every client holding it;
 * clients a call does not touch are absent; a delta over the row limit becomes a failed query
 * naming its subscribers while the other queries are delivered.
 */
import { describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import {
  compileSubscription,
  fanOut,
  SubscriptionRegistry,
  type Subscriber,
} from '../../runtime/subscribe/index.js';
import {
  encodeRow,
  newStore,
  runBatch,
  schema,
  seed,
  show,
  type Write,
} from './subscribe-fixtures.js';

type Client = { readonly name: string };
type Sub = Subscriber<Client>;

const person = (id: number, age: number, name = `p${id}`): AlgebraicValue[] => [
  id,
  name,
  age,
  'Oslo',
  { tag: 1, value: [] },
  1.5,
];

function setup(options: { maxRows?: number } = {}) {
  const store = newStore(schema);
  const registry = new SubscriptionRegistry<Sub>(schema, { ...options, errors: 'per-query' });
  const subscribe = (client: Client, set: number, sql: string): Sub => {
    const sub = { client, set, query: compileSubscription(schema, sql, { isOwner: true }) };
    registry.add(sub.query, sub);
    return sub;
  };
  /** Runs `calls` as one batch and fans it out. */
  const run = (calls: readonly (readonly Write[])[]) => {
    const { calls: changes, after } = runBatch(store, calls);
    try {
      return { changes, fans: fanOut(registry, changes, after) };
    } finally {
      after.close();
    }
  };
  return { store, registry, subscribe, run };
}

const insert = (row: AlgebraicValue[]): Write => ({ op: 'insert', table: 'person', row });

describe('fanOut', () => {
  it('gives one empty fan-out per call when nobody subscribed', () => {
    const { run } = setup();
    const { fans } = run([[insert(person(1, 40))], [insert(person(2, 50))]]);
    expect(fans).toHaveLength(2);
    for (const f of fans) expect([f.byClient.size, f.failed]).toEqual([0, []]);
  });

  it("tags each client's deltas with its query set and leaves untouched clients out", () => {
    const { subscribe, run } = setup();
    const [a, b, c] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    subscribe(a, 1, 'SELECT * FROM person WHERE age > 30');
    subscribe(b, 7, 'SELECT * FROM person WHERE age > 30');
    subscribe(c, 1, 'SELECT * FROM person WHERE age < 10');
    const { fans } = run([[insert(person(1, 40))]]);
    const [fan] = fans;
    expect([...fan!.byClient.keys()]).toEqual([a, b]);
    const mine = fan!.byClient.get(a)!;
    expect(mine.map(d => [d.set, d.tableId, d.tableName, d.deletes.length])).toEqual([
      [1, schema.tableByName('person')!.id, 'person', 0],
    ]);
    expect(show(schema, 'person', mine[0]!.inserts)).toEqual(
      show(schema, 'person', [encodeRow(schema, 'person', person(1, 40))]),
    );
    expect(fan!.byClient.get(b)!.map(d => d.set)).toEqual([7]);
    expect(fan!.failed).toEqual([]);
  });

  it('interns shares: same pairs, same frozen array; same pair, same object', () => {
    const { subscribe, run } = setup();
    const [a, b, c] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    for (const x of [a, b]) {
      subscribe(x, 1, 'SELECT * FROM person WHERE age > 30');
      subscribe(x, 2, 'SELECT * FROM person WHERE age > 35');
    }
    subscribe(c, 1, 'SELECT * FROM person WHERE age > 30');
    const [fan] = run([[insert(person(1, 40))]]).fans;
    const [sa, sb, sc] = [a, b, c].map(x => fan!.byClient.get(x)!);
    expect(sa).toBe(sb);
    expect(Object.isFrozen(sa)).toBe(true);
    expect(sa!.map(d => d.set)).toEqual([1, 2]);
    expect(sc).not.toBe(sa);
    expect(sc![0]).toBe(sa![0]);
  });

  it('delivers a query subscribed twice in one set twice (its rows were sent twice too)', () => {
    const { subscribe, run } = setup();
    const a = { name: 'a' };
    subscribe(a, 1, 'SELECT * FROM person WHERE age > 30');
    subscribe(a, 1, 'SELECT * FROM person WHERE age > 30');
    const [fan] = run([[insert(person(1, 40))]]).fans;
    const mine = fan!.byClient.get(a)!;
    expect(mine).toHaveLength(2);
    expect(mine[0]).toBe(mine[1]);
  });

  it('keeps the calls of a batch apart, in order', () => {
    const { store, subscribe, run } = setup();
    seed(store, { person: [person(9, 60)] });
    const a = { name: 'a' };
    subscribe(a, 3, 'SELECT * FROM person WHERE age > 30');
    const { fans } = run([
      [insert(person(1, 40))],
      [insert(person(2, 5))],
      [{ op: 'update', table: 'person', row: person(1, 20) }],
      [{ op: 'delete', table: 'person', row: person(9, 60) }],
    ]);
    const summary = fans.map(f => {
      const d = f.byClient.get(a);
      return d === undefined ? 'none' : d.map(x => [x.inserts.length, x.deletes.length]);
    });
    expect(summary).toEqual([[[1, 0]], 'none', [[0, 1]], [[0, 1]]]);
  });

  it('reports a delta over the row limit as failed and delivers the other queries', () => {
    const { subscribe, run } = setup({ maxRows: 2 });
    const [a, b] = [{ name: 'a' }, { name: 'b' }];
    const wide = subscribe(a, 1, 'SELECT * FROM person');
    const wideToo = subscribe(b, 4, 'SELECT * FROM person');
    subscribe(b, 5, 'SELECT * FROM person WHERE age = 77');
    const [fan] = run([[1, 2, 3].map(id => insert(person(id, id === 1 ? 77 : 10)))]).fans;
    expect(fan!.failed).toHaveLength(1);
    expect(fan!.failed[0]!.error.code).toBe('SQL_ROW_LIMIT');
    expect(fan!.failed[0]!.subscribers).toEqual([wide, wideToo]);
    expect(fan!.byClient.has(a)).toBe(false);
    expect(fan!.byClient.get(b)!.map(d => [d.set, d.inserts.length])).toEqual([[5, 1]]);
  });
});
