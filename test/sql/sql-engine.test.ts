/**
 * SQL through a real engine: DML goes through `DatabaseHandle.transact` (the reducers' commit
 * path), is durable and published to batch listeners; private tables and DML need the owner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppliedCall, DatabaseHandle } from '../../runtime/host/index.js';
import { Identity } from '../../runtime/protocol/index.js';
import { runSql } from '../../runtime/api/index.js';
import { sqlResultsToJson } from '../../runtime/http/sql-json.js';
import { testEngine } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const owner = Identity.random();
const stranger = Identity.random();

describe('SQL on a published module', async () => {
  const { engine } = await testEngine();
  let db: DatabaseHandle;
  const seen: AppliedCall[] = [];
  beforeAll(async () => {
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/edge'),
      owner,
      nameOrIdentity: 'sqledge',
      clear: false,
    });
    db = engine.resolve('sqledge')!;
    db.onPublished(batch => seen.push(...batch.calls));
  });
  const run = async (sql: string, who = owner) =>
    sqlResultsToJson(
      await runSql(db, sql, { identity: who, isOwner: who === owner }, { rowLimit: 1000 }),
    ) as { rows: unknown[]; stats: unknown }[];

  it('INSERT runs as one __sql__ transaction, draws auto-increment ids and is seen by subscribers', async () => {
    const out = await run("INSERT INTO item (code, \"group\") VALUES ('a', 1), ('b', 1), ('c', 2)");
    expect(out[0]!.stats).toEqual({ rows_inserted: 3, rows_deleted: 0, rows_updated: 0 });
    expect((await run('SELECT id, code FROM item ORDER BY id'))[0]!.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const tx = seen.at(-1)!;
    expect(tx.call.reducer).toBe('__sql__');
    expect(tx.call.sender.equals(owner)).toBe(true);
    expect(tx.status === 'committed' && tx.changes[0]!.inserts).toHaveLength(3);
  });

  it('enforces unique constraints and keeps nothing of a failed statement', async () => {
    await expect(
      run("INSERT INTO item (code, \"group\") VALUES ('d', 3), ('a', 3)"),
    ).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect((await run('SELECT COUNT(*) AS n FROM item'))[0]!.rows).toEqual([[3]]);
  });

  it('UPDATE and DELETE commit through the same path', async () => {
    expect((await run('UPDATE item SET "group" = 7 WHERE "group" = 1'))[0]!.stats).toEqual({
      rows_inserted: 0,
      rows_deleted: 0,
      rows_updated: 2,
    });
    expect((await run("DELETE FROM item WHERE code = 'c'"))[0]!.stats).toEqual({
      rows_inserted: 0,
      rows_deleted: 1,
      rows_updated: 0,
    });
    expect((await run('SELECT code, "group" FROM item ORDER BY code'))[0]!.rows).toEqual([
      ['a', 7],
      ['b', 7],
    ]);
  });

  it('hides private tables from non-owners and refuses their DML', async () => {
    await expect(run('SELECT * FROM item', stranger)).rejects.toMatchObject({
      code: 'SQL_UNKNOWN_NAME',
      message: 'no such table "item" (if it exists, it may be private) at 1:15',
    });
    await expect(run('DELETE FROM everything', stranger)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect((await run('SELECT COUNT(*) AS n FROM everything', stranger))[0]!.rows).toEqual([[0]]);
  });
});
