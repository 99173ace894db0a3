import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../sdk/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Runs the CLI in-process; returns its exit code and what it wrote to stderr. */
async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(chunk => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await main(['node', 'wasmbase', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stderr };
}

afterEach(() => {
  process.exitCode = 0;
});

async function seed(dataDir: string): Promise<void> {
  const dir = path.join(dataDir, 'databases', 'feed01');
  mkdirSync(dir, { recursive: true });
  const env = open<Uint8Array, Uint8Array>({
    path: dir,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  await env.put(Buffer.from('row'), Buffer.from('value'));
  await env.close();
}

describe('wasmbase backup / restore', () => {
  it('backs up, restores, and refuses a corrupted backup with a clear message', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    await seed(dataDir);
    const out = path.join(root, 'bk');

    const backup = await run(['backup', '--data-dir', dataDir, '--out', out]);
    expect(backup.code).toBe(0);
    expect(backup.stderr).toContain('[1/1] databases/feed01');
    expect(backup.stderr).toContain(`written to ${out}`);

    const restored = path.join(root, 'restored');
    const restore = await run(['restore', out, '--data-dir', restored]);
    expect(restore.code).toBe(0);
    const env = open<Uint8Array, Uint8Array>({
      path: path.join(restored, 'databases', 'feed01'),
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    expect(Buffer.from(env.getBinary(Buffer.from('row'))!).toString()).toBe('value');
    await env.close();

    const again = await run(['restore', out, '--data-dir', restored]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/wasmbase: .*is not empty/);

    const file = path.join(out, 'databases', 'feed01', 'data.mdb');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(file, bytes);
    const bad = await run(['restore', out, '--data-dir', path.join(root, 'other')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wasmbase: .*does not match its checksum/);
  });
});
