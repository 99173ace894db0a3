import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, validateModule } from '../../runtime/host/index.js';
import { ENTRY_OVERHEAD_BYTES } from '../../runtime/host/worker-cache.js';
import { createWorkerPool } from '../../runtime/host/worker-pool.js';
import { silentLogger } from '../../runtime/log/index.js';
import { Identity } from '../../runtime/protocol/index.js';
import { testConfig } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const BUDGET = 1024 * 1024;
const DATABASES = 24;

const config = testConfig({ workers: 2 });
const pool = createWorkerPool({ threads: 2, instanceBudgetBytes: BUDGET });
const engine = await createEngine({ config, logger: silentLogger, pool });
afterAll(() => engine.close());
const owner = Identity.random();
const quickstart = validateModule(moduleBytes('quickstart'), 1 << 24).hash;
const chat = validateModule(moduleBytes('chat'), 1 << 24).hash;

const dirOf = (identity: Identity) => path.join(config.dataDir, 'databases', identity.toHex());

async function publish(name: string, module = 'quickstart', clear = false) {
  return engine.publish({ moduleBytes: moduleBytes(module), owner, nameOrIdentity: name, clear });
}

async function sayHello(name: string): Promise<void> {
  const outcome = await engine.resolve(name)!.call({
    reducer: 'say_hello',
    args: new Uint8Array(0),
    sender: owner,
    connectionId: undefined,
  });
  expect(outcome.status).toBe('committed');
}

/** Every cached entry of every worker, as `path|hash`. */
async function cachedKeys(): Promise<string[]> {
  const stats = await pool.stats();
  expect(stats).toHaveLength(2);
  return stats.flatMap(s => s.entries.map(e => `${e.databasePath}|${e.moduleHash}`));
}

describe('the reducer workers’ caches', () => {
  it('stay within the byte budget however many databases are called', async () => {
    for (let i = 0; i < DATABASES; i++) {
      await publish(`many-${i}`);
      await sayHello(`many-${i}`);
    }
    const stats = await pool.stats();
    expect(new Set(stats.map(s => s.threadId)).size).toBe(2);
    let cached = 0;
    let evictions = 0;
    for (const s of stats) {
      expect(s.budgetBytes).toBe(BUDGET);
      expect(s.totalBytes).toBeLessThanOrEqual(BUDGET);
      expect(s.totalBytes).toBe(s.entries.reduce((sum, e) => sum + e.bytes, 0));
      for (const e of s.entries) expect(e.bytes).toBeGreaterThanOrEqual(ENTRY_OVERHEAD_BYTES);
      cached += s.entries.length;
      evictions += s.evictions;
      // A compiled module stays while an instance uses it.
      if (s.entries.some(e => e.instantiated)) expect(s.modules).toContain(quickstart);
    }
    console.log(
      `worker caches after ${DATABASES} databases: ${stats.map(s => `${s.entries.length} entries, ${s.totalBytes} bytes`).join('; ')}; ${evictions} evictions`,
    );
    expect(cached).toBeLessThan(DATABASES);
    expect(evictions).toBeGreaterThan(0);
    // The most recently called database is still cached in the worker that ran it.
    const last = dirOf(engine.resolve(`many-${DATABASES - 1}`)!.info.identity);
    expect(await cachedKeys()).toContain(`${last}|${quickstart}`);
  });

  it('drops a deleted database from every worker', async () => {
    await publish('doomed');
    await sayHello('doomed');
    const identity = engine.resolve('doomed')!.info.identity;
    expect(await cachedKeys()).toContain(`${dirOf(identity)}|${quickstart}`);
    await engine.delete(identity);
    expect((await cachedKeys()).filter(k => k.startsWith(dirOf(identity)))).toEqual([]);
  });

  it('drops the old module of a republished database from every worker', async () => {
    await publish('repub');
    await sayHello('repub');
    const identity = engine.resolve('repub')!.info.identity;
    const dir = dirOf(identity);
    expect(await cachedKeys()).toContain(`${dir}|${quickstart}`);
    await publish('repub', 'chat', true);
    expect((await cachedKeys()).filter(k => k.startsWith(dir))).toEqual([]);
    const outcome = await engine.resolve('repub')!.call({
      reducer: 'set_name',
      args: Uint8Array.of(3, 0, 0, 0, 0x42, 0x6f, 0x62),
      sender: owner,
      connectionId: undefined,
    });
    // The new module ran (and answered with its own message: the caller is not a known user).
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'REDUCER_FAILED', message: 'Cannot set name for unknown user' },
    });
    expect((await cachedKeys()).filter(k => k.startsWith(dir))).toEqual([`${dir}|${chat}`]);
  });
});
