/**
 * The start-up check of the data directory: a healthy directory passes with its figures; a
 * truncated, zeroed or overwritten LMDB file makes the server refuse to start with
 * `STORE_DAMAGED` naming the environment, and the test process (the would-be server) survives.
 */
import {
  cpSync,
  openSync,
  readdirSync,
  statSync,
  truncateSync,
  writeSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/log/index.js';
import { runServer } from '../../runtime/main.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { verifyDataDir } from '../../runtime/store/index.js';
import { testConfig } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';
import { client } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A data directory holding the quickstart database with a few rows, server stopped. */
async function healthyDir(): Promise<{ dir: string; dbEnv: string }> {
  const config = testConfig({ host: '127.0.0.1' });
  const server = await runServer(config, silentLogger);
  const api = client(server);
  const owner = await api.newIdentity();
  const token = owner.token;
  const published = await api.json('POST', '/v1/database/verifyq', {
    token,
    body: moduleBytes('quickstart'),
  });
  expect(published.status).toBe(200);
  for (let i = 0; i < 20; i++) {
    const body = JSON.stringify([`person ${i}`]);
    const call = { token, body, contentType: 'application/json' };
    const res = await api.request('POST', '/v1/database/verifyq/call/add', call);
    expect(res.status).toBe(200);
  }
  await server.close();
  const databases = path.join(config.dataDir, 'databases');
  const [hex] = readdirSync(databases);
  return { dir: config.dataDir, dbEnv: path.join(databases, hex!) };
}

const base = await healthyDir();

function copy(): { dir: string; dbFile: string; systemFile: string } {
  const dir = tempDir();
  cpSync(base.dir, dir, { recursive: true });
  const dbFile = path.join(dir, path.relative(base.dir, base.dbEnv), 'data.mdb');
  return { dir, dbFile, systemFile: path.join(dir, 'system', 'data.mdb') };
}

function overwrite(file: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

async function refusal(dir: string): Promise<WasmbaseError> {
  const err: unknown = await runServer(testConfig({ dataDir: dir }), silentLogger).then(
    s => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  if (!(err instanceof WasmbaseError)) throw new Error(`the server started on ${dir}`);
  return err;
}

function garbage(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

describe('the start-up check of the data directory', () => {
  it('passes a healthy directory and reads all of it', async () => {
    const report = await verifyDataDir(copy().dir);
    expect(report.environments).toBe(2);
    expect(report.entries).toBeGreaterThanOrEqual(20);
    expect(report.bytes).toBeGreaterThan(0);
  });

  it('refuses a truncated database file, naming it', async () => {
    const { dir, dbFile } = copy();
    truncateSync(dbFile, Math.floor(statSync(dbFile).size / 2));
    const err = await refusal(dir);
    expect(err.code).toBe('STORE_DAMAGED');
    expect(err.message).toContain(path.relative(base.dir, base.dbEnv));
    expect(err.message).toContain('wasmbase restore');
  });

  it('refuses a catalog whose meta pages were zeroed', async () => {
    const { dir, systemFile } = copy();
    overwrite(systemFile, 0, new Uint8Array(8192));
    const err = await refusal(dir);
    expect(err.code).toBe('STORE_DAMAGED');
    expect(err.details).toEqual({ environment: 'system' });
  });

  it('refuses database files whose tree pages were overwritten with garbage', async () => {
    for (const seed of [1, 2, 3]) {
      const { dir, dbFile } = copy();
      const size = statSync(dbFile).size;
      overwrite(dbFile, 8192, garbage(size - 8192, seed));
      const err = await refusal(dir);
      expect(err.code).toBe('STORE_DAMAGED');
    }
  });
});
