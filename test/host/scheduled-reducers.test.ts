/**
 * Scheduled reducers on a real engine with the `fixtures/schedule` module: the engine runs on
 * a manual clock, so "when" is decided by the test; only the reducer calls themselves run for
 * real, and the test waits for their commits by bounded polling.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { createEngine, type DatabaseHandle, type Engine } from '../../runtime/host/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import {
  decodeFromBytes,
  encodeToBytes,
  Identity,
  WasmbaseError,
  type AlgebraicType,
} from '../../runtime/protocol/index.js';
import { ManualClock } from '../helpers/schedule-clock.js';
import { moduleBytes } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const owner = Identity.random();
const str: AlgebraicType = { tag: 'String' };
const i64: AlgebraicType = { tag: 'I64' };
const args = (types: AlgebraicType[], values: (string | bigint)[]) =>
  encodeToBytes(
    { tag: 'Product', elements: types.map((type, i) => ({ name: `a${i}`, type })) },
    values,
  );

const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
});

async function open(dataDir: string, clock: ManualClock): Promise<Engine> {
  const config = loadConfig({}, {}, { dataDir, port: 0, workers: 1 });
  const engine = await createEngine({ config, logger: silentLogger, clock });
  engines.push(engine);
  return engine;
}

/** Rows of tick_log as [label, schedule id, sender hex]. */
function ticks(db: DatabaseHandle): [string, bigint, string][] {
  const table = db.schema.tableByName('tick_log')!;
  const type: AlgebraicType = { tag: 'Product', elements: table.rowType.elements };
  return db
    .read(tx => tx.scan(table.id))
    .map(row => {
      const v = decodeFromBytes(type, row) as [bigint, string, bigint];
      // The sender's 32 bytes follow id (8), label (4 + length) and schedule_id (8).
      const at = 20 + new TextEncoder().encode(v[1]).length;
      return [v[1], v[2], new Identity(row.slice(at, at + 32)).toHex()];
    });
}

const labels = (db: DatabaseHandle) => ticks(db).map(t => t[0]);
const scheduleRows = (db: DatabaseHandle) =>
  db.read(tx => tx.count(db.schema.tableByName('tick_schedule')!.id));

/** Waits (bounded) until `check` holds; the scheduled calls run on real workers. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets queued calls finish, so a "nothing more happened" check means something. */
async function settle(db: DatabaseHandle): Promise<void> {
  await db.call({
    reducer: 'cancel',
    args: args([str], ['-']),
    sender: owner,
    connectionId: undefined,
  });
}

async function call(
  db: DatabaseHandle,
  reducer: string,
  types: AlgebraicType[],
  v: (string | bigint)[],
) {
  const outcome = await db.call({
    reducer,
    args: args(types, v),
    sender: owner,
    connectionId: undefined,
  });
  expect(outcome.status).toBe('committed');
}

describe('scheduled reducers on a real engine', () => {
  const clock = new ManualClock();
  const dataDir = tempDir();
  let engine: Engine;
  let db: DatabaseHandle;

  it('publishes a module with a schedule table', async () => {
    engine = await open(dataDir, clock);
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/schedule'),
      owner,
      nameOrIdentity: 'sched',
      clear: false,
    });
    db = engine.resolve('sched')!;
    expect(db.schema.schedules.map(s => [s.tableName, s.reducerName])).toEqual([
      ['tick_schedule', 'tick'],
    ]);
  });

  it('refuses a direct call of the scheduled reducer', () => {
    let err: unknown;
    try {
      db.submit({
        reducer: 'tick',
        args: new Uint8Array(0),
        sender: owner,
        connectionId: undefined,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmbaseError);
    expect((err as WasmbaseError).code).toBe('SCHEDULED_NOT_CALLABLE');
  });

  it('runs a time schedule inserted by a reducer once, as the database, and deletes its row', async () => {
    const at = clock.nowMicros() + 5_000n;
    await call(db, 'schedule_at', [str, i64], ['once', at]);
    expect(scheduleRows(db)).toBe(1);
    clock.advance(4);
    await settle(db);
    expect(labels(db)).toEqual([]);
    clock.advance(1);
    await until(() => labels(db).length === 1, 'the time schedule');
    expect(labels(db)).toEqual(['once']);
    expect(ticks(db)[0]![2]).toBe(db.info.identity.toHex());
    expect(scheduleRows(db)).toBe(0);
    clock.advance(60_000);
    await settle(db);
    expect(labels(db)).toEqual(['once']);
  });

  it('repeats an interval schedule and stops when its row is deleted', async () => {
    await call(db, 'schedule_every', [str, i64], ['rep', 1_000_000n]);
    clock.advance(999);
    await settle(db);
    expect(labels(db).filter(l => l === 'rep')).toHaveLength(0);
    clock.advance(1);
    await until(() => labels(db).filter(l => l === 'rep').length === 1, 'the first interval');
    clock.advance(1000);
    await until(() => labels(db).filter(l => l === 'rep').length === 2, 'the second interval');
    await call(db, 'cancel', [str], ['rep']);
    clock.advance(5000);
    await settle(db);
    expect(labels(db).filter(l => l === 'rep')).toHaveLength(2);
  });

  it('logs a failed scheduled run with the reducer name and removes the time row', async () => {
    await call(db, 'schedule_at', [str, i64], ['fail', clock.nowMicros()]);
    clock.advance(1);
    const failed = () =>
      engine
        .logTail(db.info.identity, 50)
        .some(r => r.reducer === 'tick' && r.level === 'error' && r.message.includes('refused'));
    await until(failed, 'the failure line');
    await until(() => scheduleRows(db) === 0, 'the failed row to go');
  });

  it('after a restart runs an overdue time and interval schedule once, then on interval', async () => {
    await call(db, 'schedule_at', [str, i64], ['late', clock.nowMicros() + 60_000_000n]);
    await call(db, 'schedule_every', [str, i64], ['iv', 10_000_000n]);
    await engine.close();
    engines.splice(engines.indexOf(engine), 1);
    clock.jump(100_000); // down for 100 s: ten intervals and the time
    engine = await open(dataDir, clock);
    db = engine.resolve('sched')!;
    clock.advance(0);
    await until(() => labels(db).includes('late') && labels(db).includes('iv'), 'the overdue runs');
    clock.advance(9_999);
    await settle(db);
    expect(labels(db).filter(l => l === 'late')).toHaveLength(1);
    expect(labels(db).filter(l => l === 'iv')).toHaveLength(1);
    clock.advance(1);
    await until(() => labels(db).filter(l => l === 'iv').length === 2, 'the next interval');
    expect(scheduleRows(db)).toBe(1);
  });
});
