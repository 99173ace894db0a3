/**
 * A backup of a live engine's data directory while SQL inserts commit through the reducers'
 * commit path, restored and reopened by a second engine: every acknowledged insert before the
 * snapshot is there, and the rows form a gap-free prefix of the inserts (nothing partial).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSql } from '../../runtime/api/index.js';
import { createEngine, type DatabaseHandle } from '../../runtime/host/index.js';
import { sqlResultsToJson } from '../../runtime/http/sql-json.js';
import { silentLogger } from '../../runtime/log/index.js';
import { Identity } from '../../runtime/protocol/index.js';
import { backupDataDir, readRecordedMeta, restoreDataDir } from '../../runtime/store/index.js';
import { testConfig, testEngine } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const owner = Identity.random();

const run = async (db: DatabaseHandle, sql: string) =>
  sqlResultsToJson(
    await runSql(db, sql, { identity: owner, isOwner: true }, { rowLimit: 100_000 }),
  ) as { rows: unknown[][] }[];

describe('backup of a live engine', async () => {
  const { engine, config } = await testEngine();

  it('restores every acknowledged commit before the snapshot and nothing partial', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/edge'),
      owner,
      nameOrIdentity: 'backup-live',
      clear: false,
    });
    const db = engine.resolve('backup-live')!;
    const hex = db.info.identity.toHex();
    const envDir = path.join(config.dataDir, 'databases', hex);
    const commitsBefore = (await readRecordedMeta(envDir)).commitSeq;
    let acked = 0;
    let stop = false;
    const writer = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        await run(db, `INSERT INTO item (code, "group") VALUES ('c${i}', ${i})`);
        acked = i + 1;
      }
    })();
    for (let i = 0; i < 2000 && acked < 30; i++) await new Promise(r => setTimeout(r, 5));
    const ackedBefore = acked;
    expect(ackedBefore).toBeGreaterThanOrEqual(30);
    const root = tempDir();
    const manifest = await backupDataDir(config.dataDir, path.join(root, 'bk'));
    stop = true;
    await writer;
    // The source keeps serving after the copy (the backup's own handle closed, not the engine's).
    await run(db, `INSERT INTO item (code, "group") VALUES ('after', 100000)`);
    const after = await run(db, `SELECT COUNT(*) AS n FROM item`);
    expect(after[0]!.rows).toEqual([[acked + 1]]);

    const restoredDir = path.join(root, 'restored');
    restoreDataDir(path.join(root, 'bk'), restoredDir);
    const second = await createEngine({
      config: testConfig({ dataDir: restoredDir }),
      logger: silentLogger,
    });
    afterAll(() => second.close());
    const copy = second.resolve('backup-live')!;
    const rows = (await run(copy, 'SELECT code, "group" FROM item ORDER BY "group"'))[0]!.rows;
    expect(rows.length).toBeGreaterThanOrEqual(ackedBefore);
    expect(rows.length).toBeLessThanOrEqual(acked);
    rows.forEach((row, i) => expect(row).toEqual([`c${i}`, i]));

    // The manifest names the commit point and the schema; the catalog is copied last.
    const entry = manifest.entries.find(e => e.name === `databases/${hex}`)!;
    expect(entry.lastCommit).toBe(commitsBefore + rows.length);
    expect(entry.moduleHash).toBe(db.info.moduleHash);
    expect(entry.schema?.tables.find(t => t.name === 'item')?.columns).toContain('code');
    expect(entry.schema?.reducers).toContain('put_constants');
    expect(manifest.entries.at(-1)?.name).toBe('system');
  });
});
