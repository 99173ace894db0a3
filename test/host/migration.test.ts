import { describe, expect, it } from 'vitest';
import { createEngine, type DatabaseHandle } from '../../runtime/host/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import { encodeToBytes, Identity, type AlgebraicValue } from '../../runtime/protocol/index.js';
import { testConfig } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const owner = Identity.random();
const config = testConfig();
let engine = await createEngine({ config, logger: silentLogger });

async function call(
  db: DatabaseHandle,
  reducer: string,
  values: AlgebraicValue[],
): Promise<string> {
  const params = db.schema.reducerByName(reducer)!.params;
  const o = await db.call({
    reducer,
    args: encodeToBytes({ tag: 'Product', elements: params.elements }, values),
    sender: owner,
    connectionId: undefined,
  });
  return o.status === 'committed' ? 'ok' : o.error.message;
}

const lastLogs = (n: number) =>
  engine.logTail(engine.resolve('game')!.info.identity, n).map(l => l.message);

describe('automatic migrations', () => {
  it('adds trailing columns with defaults, builds new indexes and new tables, and keeps every row', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/migrate_v1'),
      owner,
      nameOrIdentity: 'game',
      clear: false,
    });
    const v1 = engine.resolve('game')!;
    expect(await call(v1, 'add_player', [1, 'ann'])).toBe('ok');
    expect(await call(v1, 'add_player', [2, 'bob'])).toBe('ok');
    const result = await engine.publish({
      moduleBytes: moduleBytes('fixtures/migrate_v2'),
      owner,
      nameOrIdentity: 'game',
      clear: false,
    });
    expect(result.op).toBe('updated');
    const v2 = engine.resolve('game')!;
    expect(v2.schema.tableByName('player')!.columns.map(c => c.name)).toEqual([
      'id',
      'name',
      'score',
      'nickname',
    ]);
    expect(await call(v2, 'report', ['ann'])).toBe('ok');
    expect(lastLogs(1)).toEqual(['ann id=1 score=0 nickname=none']);
    expect(await call(v2, 'win', [2])).toBe('ok');
    expect(await call(v2, 'add_player', [3, 'bob'])).toBe('ok');
    expect(await call(v2, 'report', ['bob'])).toBe('ok');
    expect(lastLogs(2)).toEqual([
      'bob id=2 score=1 nickname=none',
      'bob id=3 score=0 nickname=none',
    ]);
  });

  it('refuses unsafe changes with one reason each and keeps serving the old module', async () => {
    await expect(
      engine.publish({
        moduleBytes: moduleBytes('fixtures/migrate_bad'),
        owner,
        nameOrIdentity: 'game',
        clear: false,
      }),
    ).rejects.toMatchObject({
      code: 'MIGRATION_REFUSED',
      details: {
        problems: [
          'table player: column id changed type from u32 to u64',
          'table player: column score was removed',
          'table player: column nickname was removed',
          'table player: adds a unique constraint on name (existing rows may violate it)',
          'table match was removed but holds 1 rows',
        ],
        hint: 'clear=true',
      },
    });
    expect(await call(engine.resolve('game')!, 'report', ['ann'])).toBe('ok');
  });

  it('serves calls that arrive during a republish with the new module, none refused', async () => {
    const db = engine.resolve('game')!;
    const calls = Array.from({ length: 40 }, (_, i) => call(db, 'add_player', [100 + i, `p${i}`]));
    const publish = engine.publish({
      moduleBytes: moduleBytes('fixtures/migrate_v2'),
      owner,
      nameOrIdentity: 'game',
      clear: true,
    });
    const more = Array.from({ length: 40 }, (_, i) => call(db, 'add_player', [200 + i, `q${i}`]));
    await publish;
    expect(await Promise.all([...calls, ...more])).toEqual(Array.from({ length: 80 }, () => 'ok'));
    const fresh = engine.resolve('game')!;
    expect(fresh).not.toBe(db);
    expect(await call(fresh, 'add_player', [1, 'ann'])).toBe('ok');
    expect(await call(fresh, 'add_player', [2, 'bob'])).toBe('ok');
    expect(await call(fresh, 'win', [2])).toBe('ok');
    expect(await call(fresh, 'add_player', [3, 'bob'])).toBe('ok');
  });

  it('keeps the migrated module and data across a restart', async () => {
    await engine.close();
    engine = await createEngine({ config, logger: silentLogger });
    const db = engine.resolve('game')!;
    expect(db.schema.tableByName('match')).toBeDefined();
    expect(await call(db, 'report', ['bob'])).toBe('ok');
    expect(lastLogs(2)).toEqual([
      'bob id=2 score=1 nickname=none',
      'bob id=3 score=0 nickname=none',
    ]);
    await engine.close();
  });
});
