/** `wasmbase archive download` and `wasmbase archive publish` against a real server. */
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

describe('wasmbase archive', () => {
  it('downloads an archive, publishes it as a new database, refuses a damaged one', async () => {
    expect((await run(['publish', 'cli-arch', wasm])).code).toBe(0);
    expect((await run(['call', 'cli-arch', 'put_constants'])).code).toBe(0);
    const file = path.join(dir, 'db.wbarchive');
    const down = await run(['archive', 'download', 'cli-arch', '--out', file]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`archive of cli-arch written to ${file}`);

    const up = await run(['archive', 'publish', 'cli-arch-copy', file]);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/created database cli-arch-copy \([0-9a-f]{64}\)/);
    const a = await run(['export', 'cli-arch', 'everything']);
    const b = await run(['export', 'cli-arch-copy', 'everything']);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).toContain('"s":"héllo ✓"');

    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const bad = await run(['archive', 'publish', 'cli-arch-bad', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('(ARCHIVE_INVALID)');
  });

  it('stats prints disk use and compact gives free pages back', async () => {
    const stats = await run(['stats', 'cli-arch']);
    expect(stats.code).toBe(0);
    const disk = (JSON.parse(stats.stdout) as { disk: { fileBytes: number; freePages: number } })
      .disk;
    expect(disk.fileBytes).toBeGreaterThan(0);
    const compact = await run(['compact', 'cli-arch']);
    expect(compact.code).toBe(0);
    expect(compact.stderr).toMatch(/before: \d+ bytes on disk, \d+ of \d+ pages free/);
    expect(compact.stderr).toMatch(/after: {2}\d+ bytes on disk/);
    expect((await run(['call', 'cli-arch', 'put_constants'])).code).toBe(0);
    const denied = await run(['compact', 'cli-arch', '--token', 'not-a-token']);
    expect(denied.code).toBe(1);
  });
});
