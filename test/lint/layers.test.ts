/**
 * The layer rule of eslint.config.js (and the portability rules of runtime/protocol), run
 * through ESLint's API on in-memory snippets placed at chosen paths. Type-aware rules are
 * filtered out so that files which do not exist on disk can be linted.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/modules.js';

const CHECKED = new Set([
  'local/layers',
  'no-restricted-imports',
  'no-restricted-globals',
  'no-restricted-syntax',
]);

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => CHECKED.has(ruleId),
});

/** The messages of the checked rules for `code` linted as if it were the file `file`. */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map(m => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

/** The expected messages, built from the parts each one must name. */
const layers = (rule: string, text: string) => `local/layers: layers/${rule}: ${text}`;
const downward = (from: string, to: string, allowed: string) =>
  layers(
    'downward-only',
    `${from} may not import ${to} (same or higher rank). Allowed from ${from}: ${allowed}.`,
  );
const noErrors = (index: string) =>
  layers(
    'no-errors-module',
    'runtime/errors.ts is gone; import WasmbaseError, ErrorCode, toWasmbaseError and the ' +
      `rest from '${index}'.`,
  );
const SQL_ALLOWED = 'store, config.ts, auth, log, protocol';

describe('layers: imports between runtime/ folders', () => {
  it('accepts downward imports through index.js, and any file inside one folder', async () => {
    const ok = [
      ['runtime/ws/x.ts', "import { createEngine } from '../host/index.js';"],
      ['runtime/http/x.ts', "export * from '../ws/index.js';"],
      ['runtime/api/x.ts', "import type { Engine } from '../host/index.js';"],
      ['runtime/subscribe/x.ts', "import { parseSql } from '../sql/index.js';"],
      ['runtime/host/x.ts', "import type { Config } from '../config.js';"],
      ['runtime/config.ts', "import { LOG_LEVELS } from './log/index.js';"],
      ['runtime/main.ts', "import { runServer } from './http/index.js';"],
      ['runtime/protocol/ws-v2/x.ts', "import { Identity } from '../identity.js';"],
      ['runtime/store/x.ts', "import { KeyBuilder } from './key-codec.js'; import 'lmdb';"],
    ] as const;
    for (const [file, code] of ok) expect(await lint(file, code), file).toEqual([]);
  });

  it('refuses a file inside another folder, naming its index', async () => {
    const code = "import type { Engine } from '../host/engine-types.js';";
    expect(await lint('runtime/ws/x.ts', code)).toEqual([
      layers(
        'index-only',
        "import host through its public surface '../host/index.js', not a file inside it.",
      ),
    ]);
  });

  it('refuses upward and same-rank imports, listing what is allowed', async () => {
    const lintSql = (code: string) => lint('runtime/sql/x.ts', code);
    expect(await lintSql("import { createEngine } from '../host/index.js';")).toEqual([
      downward('sql', 'host', SQL_ALLOWED),
    ]);
    expect(await lintSql("const m = import('../subscribe/index.js');")).toEqual([
      downward('sql', 'subscribe', SQL_ALLOWED),
    ]);
    expect(await lint('runtime/log/x.ts', "import type { C } from '../config.js';")).toEqual([
      downward('log', 'config.ts', 'protocol'),
    ]);
    expect(
      await lint('runtime/protocol/ws-v2/x.ts', "import { X } from '../../log/index.js';"),
    ).toEqual([downward('protocol', 'log', 'nothing (a leaf)')]);
    expect(await lint('runtime/ws/x.ts', "export { x } from '../http/index.js';")).toEqual([
      layers(
        'downward-only',
        'ws and http share a rank and are not an allowed pair. Allowed from ws: api, host, ' +
          'subscribe, sql, store, config.ts, auth, log, protocol.',
      ),
    ]);
  });

  it('refuses runtime/errors.ts from anywhere, pointing at the protocol index', async () => {
    const code = "import { WasmbaseError } from '../errors.js';";
    expect(await lint('runtime/host/x.ts', code)).toEqual([noErrors('../protocol/index.js')]);
    expect(await lint('runtime/config.ts', code.replace('../', './'))).toEqual([
      noErrors('./protocol/index.js'),
    ]);
  });

  it('refuses unranked folders and imports from outside runtime/', async () => {
    expect(await lint('runtime/metrics/x.ts', "import { x } from '../log/index.js';")).toEqual([
      layers('unranked', 'metrics has no rank; add it to LAYER_RANKS in eslint.config.js.'),
    ]);
    const outside = '../../sdk/cli/main.js';
    expect(await lint('runtime/host/x.ts', `import { x } from '${outside}';`)).toEqual([
      layers(
        'inside-runtime',
        `runtime/ imports only runtime/ files and packages, not '${outside}'.`,
      ),
    ]);
  });

  it('does not apply outside runtime/', async () => {
    const code = "import { x } from '../../runtime/host/abi.js';";
    expect(await lint('test/host/x.test.ts', code)).toEqual([]);
  });
});

describe('runtime/protocol is portable', () => {
  it('refuses Node built-ins, with or without the node: prefix, and Buffer', async () => {
    const messages = await lint(
      'runtime/protocol/x.ts',
      [
        "import { gzipSync } from 'node:zlib';",
        "import { readFileSync } from 'fs';",
        'export const b = Buffer.from([1]);',
        'export function f(b: Buffer): Uint8Array { return b; }',
        'export const u = new Uint8Array(1);',
      ].join('\n'),
    );
    expect(messages.map(m => m.split(':')[0])).toEqual([
      'no-restricted-imports',
      'no-restricted-imports',
      'no-restricted-globals',
      'no-restricted-syntax',
    ]);
    for (const m of messages) expect(m).toContain('runtime/protocol is portable');
  });

  it('allows node: imports and Buffer elsewhere in runtime/', async () => {
    const code =
      "import { gzipSync } from 'node:zlib';\nexport const b = Buffer.from(gzipSync('x'));";
    expect(await lint('runtime/ws/x.ts', code)).toEqual([]);
  });
});
