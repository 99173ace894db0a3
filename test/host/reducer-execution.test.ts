import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../runtime/host/index.js';
import {
  decodeFromBytes,
  encodeToBytes,
  Identity,
  type AlgebraicType,
  type AlgebraicValue,
  type ProductType,
} from '../../runtime/protocol/index.js';
import { testEngine } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const owner = Identity.random();

function args(db: DatabaseHandle, reducer: string, values: AlgebraicValue[]): Uint8Array {
  const params: ProductType = db.schema.reducerByName(reducer)!.params;
  return encodeToBytes({ tag: 'Product', elements: params.elements }, values);
}

function call(db: DatabaseHandle, reducer: string, values: AlgebraicValue[] = []) {
  return db.call({
    reducer,
    args: args(db, reducer, values),
    sender: owner,
    connectionId: undefined,
  });
}

function rows(db: DatabaseHandle, table: string): AlgebraicValue[][] {
  const t = db.schema.tableByName(table)!;
  const type: AlgebraicType = { tag: 'Product', elements: t.rowType.elements };
  return db.read(tx => tx.scan(t.id).map(r => decodeFromBytes(type, r) as AlgebraicValue[]));
}

const outcome = (o: Awaited<ReturnType<DatabaseHandle['call']>>) =>
  o.status === 'committed' ? 'ok' : `${o.error.code}: ${o.error.message}`;

const { engine } = await testEngine({ reducerTimeoutMs: 300, moduleMemoryBytes: 8 * 1024 * 1024 });

describe('reducer execution (edge fixture)', () => {
  let db: DatabaseHandle;

  it('publishes the fixture', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/edge'),
      owner,
      nameOrIdentity: 'edge',
      clear: false,
    });
    db = engine.resolve('edge')!;
    expect(db.schema.tables.map(t => t.name)).toEqual(['everything', 'item']);
  });

  it('decodes every column type sent by the TypeScript codec (golden values, TS → module)', async () => {
    const who = Identity.random();
    const values: AlgebraicValue[] = [
      true,
      -5,
      250,
      -30000,
      65000,
      -2000000000,
      4000000000,
      -9000000000000000000n,
      18000000000000000000n,
      0.5,
      1e300,
      'ünïcode ✓',
      Uint8Array.of(0, 1, 2, 255),
      [who.toBigInt()],
      [1700000000000000n],
      { tag: 0, value: 'text' },
      { tag: 1, value: [] },
      [3, -4, 5],
    ];
    expect(outcome(await call(db, 'put_everything', values))).toBe('ok');
    const stored = rows(db, 'everything');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toEqual([1n, ...values]);
  });

  it('encodes every column type the way the TypeScript codec decodes it (golden values, module → TS)', async () => {
    expect(outcome(await call(db, 'put_constants'))).toBe('ok');
    const row = rows(db, 'everything')[1]!;
    expect(row.slice(0, 13)).toEqual([
      2n,
      true,
      -8,
      200,
      -1600,
      60000,
      -320000,
      4000000000,
      -6400000000n,
      18000000000000000000n,
      1.5,
      -2.25,
      'héllo ✓',
    ]);
    expect(row[13]).toEqual(Uint8Array.of(1, 0, 255));
    expect(row[14]).toEqual([owner.toBigInt()]);
    expect((row[15] as bigint[])[0]! > 1_600_000_000_000_000n).toBe(true);
    expect(row.slice(16)).toEqual([{ tag: 0, value: 'some' }, { tag: 0, value: 7 }, [1, -2, 3]]);
  });

  it('keeps each call of a batch or drops it on its own, answering in arrival order', async () => {
    const results = await Promise.all([
      call(db, 'add_item', ['a', 1]),
      call(db, 'insert_then_fail', ['x']),
      call(db, 'add_item', ['b', 2]),
      call(db, 'add_item', ['a', 3]),
      call(db, 'trap'),
      call(db, 'add_item', ['c', 2]),
    ]);
    expect(results.map(outcome)).toEqual([
      'ok',
      'REDUCER_FAILED: failed on purpose after inserting x',
      'ok',
      expect.stringMatching(/^REDUCER_FAILED: duplicate value in unique column code of table item/),
      expect.stringMatching(/^REDUCER_TRAPPED: the reducer trapped: unreachable/),
      'ok',
    ]);
    expect(rows(db, 'item').map(r => r[1])).toEqual(['a', 'b', 'c']);
  });

  it('answers table scans, index filters, ranges, unique finds and index deletes', async () => {
    expect(outcome(await call(db, 'report_items', [2, 1, 2]))).toBe('ok');
    const lines = engine.logTail(db.info.identity, 6).map(l => l.message);
    expect(lines).toEqual(['count=3', 'group=2', 'range=3', 'find=2', 'deleted=2', 'after=1']);
  });

  it('reports a panic with its message and keeps serving', async () => {
    const o = await call(db, 'panic', ['something broke']);
    expect(outcome(o)).toMatch(/^REDUCER_TRAPPED: the reducer panicked: something broke/);
    expect(outcome(await call(db, 'add_item', ['after-panic', 9]))).toBe('ok');
  });

  it('stops a reducer that runs too long, re-runs the rest of its batch, and keeps other databases serving', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('bank'),
      owner,
      nameOrIdentity: 'bank-beside',
      clear: false,
    });
    const bank = engine.resolve('bank-beside')!;
    const looping = Promise.all([
      call(db, 'add_item', ['t1', 5]),
      call(db, 'loop_forever'),
      call(db, 'add_item', ['t2', 5]),
    ]);
    const other = await bank.call({
      reducer: 'seed',
      args: args(bank, 'seed', [3, 10n]),
      sender: owner,
      connectionId: undefined,
    });
    expect(outcome(other)).toBe('ok');
    const results = await looping;
    expect(results.map(outcome)).toEqual([
      'ok',
      expect.stringMatching(/^REDUCER_TIMEOUT: reducer loop_forever ran longer than 300 ms/),
      'ok',
    ]);
    expect(rows(db, 'item').map(r => r[1])).toEqual(expect.arrayContaining(['t1', 't2']));
  });

  it('fails a reducer that exhausts its memory and recovers', async () => {
    expect(outcome(await call(db, 'allocate_forever'))).toMatch(
      /^REDUCER_OUT_OF_MEMORY: the reducer ran out of memory \(limit 8192 KiB\)/,
    );
    expect(outcome(await call(db, 'add_item', ['after-oom', 9]))).toBe('ok');
  });

  it('caps the log lines of one call', async () => {
    expect(outcome(await call(db, 'log_lines', [1500]))).toBe('ok');
    const tail = engine.logTail(db.info.identity, 2).map(l => l.message);
    expect(tail).toEqual(['line 999', '500 more log lines of this call were dropped']);
  });
});
