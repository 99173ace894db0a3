/**
 * `wasmbase restore <backup> --database <db> --as <name>`: one database of a whole-directory
 * backup, taken next to a running server, published back into it under a new name with its
 * data; a missing database, a lone flag and a damaged backup each fail with a clear message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const dir = tempDir();
const run = cliRunner(dir, server.url);
const wasm = path.join(ROOT, 'modules/fixtures/edge/build/edge.wasm');

describe('wasmbase restore --database --as', () => {
  it('restores one database of a backup under a new name on a running server', async () => {
    expect((await run(['publish', 'one-src', wasm])).code).toBe(0);
    expect((await run(['publish', 'one-other', wasm])).code).toBe(0);
    for (let i = 0; i < 3; i++)
      expect((await run(['call', 'one-src', 'put_constants'])).code).toBe(0);
    const out = path.join(dir, 'bk');
    const dataDir = server.config.dataDir;
    expect((await run(['backup', '--data-dir', dataDir, '--out', out])).code).toBe(0);
    // Written after the backup: not in the restored copy.
    expect((await run(['call', 'one-src', 'put_constants'])).code).toBe(0);

    const restored = await run(['restore', out, '--database', 'one-src', '--as', 'one-back']);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toMatch(/created database one-back \([0-9a-f]{64}\) from one-src in/);
    const rows = await run(['export', 'one-back', 'everything']);
    expect(rows.stdout.trimEnd().split('\n')).toHaveLength(3);
    const source = (await run(['export', 'one-src', 'everything'])).stdout.trimEnd().split('\n');
    expect(rows.stdout.trimEnd().split('\n')).toEqual(source.slice(0, 3));
    expect((await run(['call', 'one-back', 'put_constants'])).code).toBe(0);

    const identity = server.engine.resolve('one-other')!.info.identity.toHex();
    const byId = await run(['restore', out, '--database', identity, '--as', 'one-other-back']);
    expect(byId.code).toBe(0);
  });

  it('names what is wrong: an unknown database, a lone flag, a damaged backup', async () => {
    const out = path.join(dir, 'bk');
    const missing = await run(['restore', out, '--database', 'nope-db', '--as', 'one-x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('holds no database named or with identity "nope-db"');
    const lone = await run(['restore', out, '--database', 'one-src']);
    expect(lone.code).toBe(1);
    expect(lone.stderr).toContain('--database and --as go together');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      entries: Array<{ name: string; file: string }>;
    };
    const db = manifest.entries.find(e => e.name.startsWith('databases/'))!;
    const file = path.join(out, db.file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(file, bytes);
    const bad = await run(['restore', out, '--database', 'one-src', '--as', 'one-y']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('does not match its checksum');
    expect(server.engine.resolve('one-y')).toBeUndefined();
  });
});
