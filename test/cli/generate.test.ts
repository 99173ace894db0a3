/**
 * `wasmbase generate`: golden files for every example module (UPDATE_GOLDEN=1 rewrites them),
 * and the generated chat bindings type-check with tsc against the official SDK 2.x.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const home = tempDir();
const run = cliRunner(home, server.url);
const GOLDEN = path.join(ROOT, 'test/cli/golden-bindings');

async function generate(module: string, out: string): Promise<void> {
  const wasm = path.join(ROOT, `modules/${module}/build/${module}.wasm`);
  const r = await run(['generate', '--lang', 'typescript', '--out', out, '--wasm', wasm]);
  expect(r.code, r.stderr).toBe(0);
}

describe('wasmbase generate', () => {
  for (const module of ['quickstart', 'chat', 'bank']) {
    it(`matches the golden bindings of modules/${module}`, async () => {
      const out = path.join(home, module);
      await generate(module, out);
      const golden = path.join(GOLDEN, module);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        mkdirSync(golden, { recursive: true });
        for (const f of readdirSync(out))
          writeFileSync(path.join(golden, f + '.golden'), readFileSync(path.join(out, f)));
      }
      // Stored as <file>.golden so the repository's own tsc and eslint leave them alone.
      const pinned = readdirSync(golden).map(f => f.replace(/\.golden$/, ''));
      expect(readdirSync(out).sort()).toEqual(pinned.sort());
      for (const f of readdirSync(out))
        expect(readFileSync(path.join(out, f), 'utf8'), f).toBe(
          readFileSync(path.join(golden, f + '.golden'), 'utf8'),
        );
    }, 60_000);
  }

  it('the chat bindings type-check against spacetimedb 2.x, and misuse does not', async () => {
    const dir = path.join(home, 'tsc');
    await generate('chat', path.join(dir, 'chat'));
    const sdk = path.join(ROOT, 'node_modules/spacetimedb2');
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        baseUrl: '.',
        paths: { spacetimedb: [sdk] },
      },
      include: ['**/*.ts'],
    };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const use = [
      "import { DbConnection } from './chat/index';",
      "const conn = DbConnection.builder().withUri('ws://x').withDatabaseName('chat').build();",
      "void conn.reducers.sendMessage({ text: 'hi' });",
      'conn.db.user.onInsert((_ctx, row) => { const n: string | undefined = row.name; void n; });',
    ];
    writeFileSync(path.join(dir, 'use.ts'), use.join('\n') + '\n');
    const tsc = (): string => {
      try {
        execFileSync(process.execPath, [
          path.join(ROOT, 'node_modules/typescript/bin/tsc'),
          '-p',
          dir,
        ]);
        return '';
      } catch (err) {
        return String((err as { stdout?: Buffer }).stdout);
      }
    };
    expect(tsc()).toBe('');
    writeFileSync(
      path.join(dir, 'use.ts'),
      [...use, 'void conn.reducers.sendMessage({ text: 1 });'].join('\n') + '\n',
    );
    expect(tsc()).toMatch(/use\.ts\(5,\d+\): error TS2322/);
  }, 120_000);

  it('refuses a bad --lang and a missing source with exit code 2', async () => {
    const lang = await run(['generate', '--lang', 'rust', '--out', home, '--db', 'x']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('--lang must be "typescript"');
    const none = await run(['generate', '--lang', 'typescript', '--out', home]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('exactly one of --db');
  }, 60_000);
});
