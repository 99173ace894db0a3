import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, validateModule } from '../../runtime/host/index.js';
import { planMigration } from '../../runtime/host/schema-compat.js';
import { silentLogger } from '../../runtime/log/index.js';
import { encodeToBytes, Identity } from '../../runtime/protocol/index.js';
import { openCatalog, openDatabaseStore } from '../../runtime/store/index.js';
import { testConfig } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const owner = Identity.random();

describe('a publish interrupted by a crash', () => {
  it('leaves the module the data was migrated for, never a mix', async () => {
    const config = testConfig();
    let engine = await createEngine({ config, logger: silentLogger });
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/migrate_v1'),
      owner,
      nameOrIdentity: 'game',
      clear: false,
    });
    const v1 = engine.resolve('game')!;
    const addArgs = encodeToBytes(
      { tag: 'Product', elements: v1.schema.reducerByName('add_player')!.params.elements },
      [7, 'zoe'],
    );
    expect(
      (
        await v1.call({
          reducer: 'add_player',
          args: addArgs,
          sender: owner,
          connectionId: undefined,
        })
      ).status,
    ).toBe('committed');
    const identity = v1.info.identity;
    const oldSchema = v1.schema;
    await engine.close();

    // Replay a publish of v2 up to the point where the data is migrated, then "crash": the
    // catalog still names v1.
    const v2 = validateModule(moduleBytes('fixtures/migrate_v2'), 1 << 24);
    const catalog = openCatalog(path.join(config.dataDir, 'system'));
    await catalog.putModule(v2.hash, v2.bytes);
    const store = openDatabaseStore(
      path.join(config.dataDir, 'databases', identity.toHex()),
      v2.schema,
    );
    const plan = planMigration(oldSchema, v2.schema, () => 1);
    expect(plan.problems).toEqual([]);
    await store.migrate(plan.tables, v2.hash);
    await store.close();
    expect(catalog.getDatabase(identity.toHex())!.moduleHash).not.toBe(v2.hash);
    await catalog.close();

    engine = await createEngine({ config, logger: silentLogger });
    try {
      const db = engine.resolve('game')!;
      expect(db.info.moduleHash).toBe(v2.hash);
      const reportArgs = encodeToBytes(
        { tag: 'Product', elements: db.schema.reducerByName('report')!.params.elements },
        ['zoe'],
      );
      expect(
        (
          await db.call({
            reducer: 'report',
            args: reportArgs,
            sender: owner,
            connectionId: undefined,
          })
        ).status,
      ).toBe('committed');
      expect(engine.logTail(identity, 1).map(l => l.message)).toEqual([
        'zoe id=7 score=0 nickname=none',
      ]);
    } finally {
      await engine.close();
    }
  });
});
