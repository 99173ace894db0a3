import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { backupDataDir, restoreDataDir, verifyBackup } from '../../runtime/store/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function openEnv(dir: string) {
  mkdirSync(dir, { recursive: true });
  return open<Uint8Array, Uint8Array>({ path: dir, keyEncoding: 'binary', encoding: 'binary' });
}

/** The value written for key i: long enough that a torn write would show. */
function valueOf(i: number): string {
  return `row-${i}-`.padEnd(200, String(i % 10));
}

function key(i: number): Buffer {
  return Buffer.from(enc.encode(`k${String(i).padStart(8, '0')}`));
}

async function seedDataDir(dataDir: string): Promise<void> {
  const system = openEnv(path.join(dataDir, 'system'));
  await system.put(Buffer.from('catalog'), Buffer.from('one database'));
  await system.close();
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmbaseError) return err.code;
    throw err;
  }
  return undefined;
}

describe('backup while writing, then restore', () => {
  it('holds every row acknowledged before the snapshot and nothing partial', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    await seedDataDir(dataDir);
    const db = openEnv(path.join(dataDir, 'databases', 'abc123'));
    let acked = 0;
    let stop = false;
    const writer = (async () => {
      for (let i = 0; i < 20_000 && !stop; i++) {
        await db.put(key(i), Buffer.from(enc.encode(valueOf(i))));
        acked = i + 1;
      }
    })();
    while (acked < 200) await new Promise(r => setTimeout(r, 5));
    const ackedBefore = acked;
    const out = path.join(root, 'backup');
    const lines: string[] = [];
    const manifest = await backupDataDir(dataDir, out, { onProgress: l => lines.push(l) });
    stop = true;
    await writer;
    await db.close();

    expect(manifest.entries.map(e => e.name)).toEqual(['databases/abc123', 'system']);
    expect(lines).toHaveLength(2);
    const restored = path.join(root, 'restored');
    restoreDataDir(out, restored);
    const copy = openEnv(path.join(restored, 'databases', 'abc123'));
    const rows = [...copy.getRange({})];
    expect(rows.length).toBeGreaterThanOrEqual(ackedBefore);
    for (let i = 0; i < rows.length; i++) {
      expect(dec.decode(rows[i]!.key)).toBe(`k${String(i).padStart(8, '0')}`);
      expect(dec.decode(rows[i]!.value)).toBe(valueOf(i));
    }
    await copy.close();
    const sys = openEnv(path.join(restored, 'system'));
    expect(dec.decode(sys.getBinary(Buffer.from('catalog'))!)).toBe('one database');
    await sys.close();
  });
});

describe('restore refuses a damaged backup', () => {
  async function freshBackup(): Promise<{ root: string; out: string; file: string }> {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    await seedDataDir(dataDir);
    const out = path.join(root, 'backup');
    await backupDataDir(dataDir, out);
    return { root, out, file: path.join(out, 'system', 'data.mdb') };
  }

  it('backs up only the selected databases, with the catalog', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    await seedDataDir(dataDir);
    for (const id of ['aa', 'bb']) {
      const env = openEnv(path.join(dataDir, 'databases', id));
      await env.put(Buffer.from('x'), Buffer.from(id));
      await env.close();
    }
    const manifest = await backupDataDir(dataDir, path.join(root, 'bk'), { only: ['bb'] });
    expect(manifest.entries.map(e => e.name)).toEqual(['databases/bb', 'system']);
  });

  it('accepts an intact backup', async () => {
    const { out } = await freshBackup();
    expect(verifyBackup(out).entries).toHaveLength(1);
  });

  it('refuses a flipped byte, and writes nothing', async () => {
    const { root, out, file } = await freshBackup();
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(file, bytes);
    const target = path.join(root, 'r1');
    expect(codeOf(() => restoreDataDir(out, target))).toBe('BACKUP_INVALID');
    expect(() => readFileSync(path.join(target, 'system', 'data.mdb'))).toThrow();
  });

  it('refuses a truncated file', async () => {
    const { root, out, file } = await freshBackup();
    truncateSync(file, 4096);
    expect(codeOf(() => restoreDataDir(out, path.join(root, 'r2')))).toBe('BACKUP_INVALID');
  });

  it('refuses a backup without its manifest or with a bad one', async () => {
    const { root, out } = await freshBackup();
    const manifestFile = path.join(out, 'manifest.json');
    writeFileSync(manifestFile, '{"format":"wasmbase-backup","version":1,"entries":[');
    expect(codeOf(() => verifyBackup(out))).toBe('BACKUP_INVALID');
    writeFileSync(
      manifestFile,
      JSON.stringify({
        format: 'wasmbase-backup',
        version: 1,
        entries: [{ name: '../etc', file: '../etc/data.mdb', bytes: 1, sha256: 'a'.repeat(64) }],
      }),
    );
    expect(codeOf(() => verifyBackup(out))).toBe('BACKUP_INVALID');
    rmSync(manifestFile);
    expect(codeOf(() => restoreDataDir(out, path.join(root, 'r3')))).toBe('BACKUP_INVALID');
  });

  it('refuses to restore over a non-empty data directory', async () => {
    const { root, out } = await freshBackup();
    expect(codeOf(() => restoreDataDir(out, path.join(root, 'data')))).toBe(
      'BACKUP_TARGET_NOT_EMPTY',
    );
  });
});
