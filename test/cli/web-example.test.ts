/**
 * The chat page's sources: its committed bindings are what `wasmbase generate` writes for
 * modules/chat today, and the page type-checks (strict, DOM) against them and the SDK 2.x.
 * (`test/e2e/chat-browser.test.ts` bundles and runs it in Chromium.)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const home = tempDir();
const run = cliRunner(home, 'http://127.0.0.1:1');
const PAGE = path.join(ROOT, 'examples/chat-web');

describe('examples/chat-web', () => {
  it('holds the bindings wasmbase generate writes for modules/chat now', async () => {
    const out = path.join(home, 'fresh');
    const wasm = path.join(ROOT, 'modules/chat/build/chat.wasm');
    const r = await run(['generate', '--lang', 'typescript', '--out', out, '--wasm', wasm]);
    expect(r.code, r.stderr).toBe(0);
    const committed = path.join(PAGE, 'module_bindings');
    expect(readdirSync(committed).sort()).toEqual(readdirSync(out).sort());
    for (const f of readdirSync(out))
      expect(readFileSync(path.join(committed, f), 'utf8'), `${f} is stale: regenerate it`).toBe(
        readFileSync(path.join(out, f), 'utf8'),
      );
  }, 60_000);

  it('type-checks with tsc against its bindings and the official SDK 2.x', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [
        path.join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        PAGE,
      ]);
    } catch (err) {
      output = String((err as { stdout?: Buffer }).stdout);
    }
    expect(output).toBe('');
  }, 60_000);
});
