/** `wasmbase export` and `wasmbase import` against a real server. */
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

describe('wasmbase export / import', () => {
  it('exports a table, imports it into another database in parts, and names a bad line', async () => {
    for (const name of ['cli-src', 'cli-dst'])
      expect((await run(['publish', name, wasm])).code).toBe(0);
    for (let i = 0; i < 3; i++)
      expect((await run(['call', 'cli-src', 'put_constants'])).code).toBe(0);

    const csvFile = path.join(dir, 'rows.csv');
    const exported = await run(['export', 'cli-src', 'everything', '--out', csvFile]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`exported everything to ${csvFile}`);
    expect(readFileSync(csvFile, 'utf8').trimEnd().split('\n')).toHaveLength(4);

    const imported = await run(['import', 'cli-dst', 'everything', csvFile, '--chunk-rows', '2']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('imported 2/3 rows into everything');
    expect(imported.stderr).toContain('imported 3/3 rows into everything');

    const a = await run(['export', 'cli-src', 'everything']);
    const b = await run(['export', 'cli-dst', 'everything']);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.trimEnd().split('\n')).toHaveLength(3);

    // Line 3 of this file repeats a key: the second part fails and names the file's line.
    const lines = a.stdout.trimEnd().split('\n');
    const jsonl = path.join(dir, 'dup.jsonl');
    writeFileSync(jsonl, [lines[0], lines[1], lines[0]].join('\n') + '\n');
    const fresh = await run(['publish', 'cli-dup', wasm]);
    expect(fresh.code).toBe(0);
    const dup = await run(['import', 'cli-dup', 'everything', jsonl, '--chunk-rows', '2']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('2 rows were imported before the error');
    expect(dup.stderr).toMatch(/line 3: duplicate primary key id .*\(IMPORT_INVALID\)/);

    const usage = await run(['import', 'cli-dup', 'everything', jsonl, '--format', 'xml']);
    expect(usage.code).toBe(2);
  });
});
