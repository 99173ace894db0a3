#!/usr/bin/env node
/**
 * Builds every module under modules/ (any folder holding an index.ts) to
 * modules/<path>/build/<name>.wasm with the wasmbase transform. A module is rebuilt only when
 * its sources or the SDK changed since its last build. First it regenerates
 * sdk/assembly/abi-constants.ts from the host's ABI tables (gen-abi-constants.mjs). Usage:
 *   node sdk/assembly/build.mjs [--force] [module-path ...]
 */
import asc from 'assemblyscript/asc';
import { readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAbiConstants } from './gen-abi-constants.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SDK_DIR = path.join(ROOT, 'sdk/assembly');
const TRANSFORM = path.join(SDK_DIR, 'transform/index.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'build' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Every module directory (relative to modules/): folders with an index.ts. */
export function listModules(root = ROOT) {
  const out = [];
  const walk = rel => {
    const dir = path.join(root, 'modules', rel);
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some(e => e.isFile() && e.name === 'index.ts')) out.push(rel);
    for (const e of entries)
      if (e.isDirectory() && e.name !== 'build') walk(path.join(rel, e.name));
  };
  walk('');
  return out.sort();
}

/** Where a module's .wasm is written. */
export function moduleWasmPath(moduleRel, root = ROOT) {
  return path.join(root, 'modules', moduleRel, 'build', `${path.basename(moduleRel)}.wasm`);
}

/** Terminal colour codes; the compiler colours its output on a TTY or when `CI` is set. */
const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;

/**
 * The compiler's and the transform's diagnostics as `file:line:col: error: message` lines (one
 * per problem; the FAILURE summary and JS stack traces dropped). Text it cannot parse is kept.
 */
export function formatDiagnostics(text, baseDir = '') {
  const out = [];
  const lines = text.replace(ANSI_ESCAPE, '').split('\n');
  const at = file => (baseDir === '' ? file : path.join(baseDir, file));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const own = /^wasmbase: (ERROR|WARNING) (\S+?:\d+(?::\d+)?): (.*)$/.exec(line);
    if (own) {
      out.push(`${at(own[2])}: ${own[1].toLowerCase()}: ${own[3]}`);
      continue;
    }
    const head = /^(ERROR|WARNING) (TS\d+|AS\d+)?:? ?(.*)$/.exec(line);
    if (!head) continue;
    let where = '';
    for (let j = i + 1; j < lines.length && j < i + 12 && !/^(ERROR|WARNING)/.test(lines[j]); j++) {
      const m = /in (\S+)\((\d+),(\d+)\)/.exec(lines[j]);
      if (m) {
        where = `${at(m[1])}:${m[2]}:${m[3]}: `;
        break;
      }
    }
    const code = head[2] ? ` ${head[2]}` : '';
    out.push(`${where}${head[1].toLowerCase()}${code}: ${head[3]}`);
  }
  if (out.length === 0) {
    const kept = lines.filter(l => l.trim() !== '' && !/^\s+at /.test(l));
    return kept.join('\n');
  }
  return out.join('\n');
}

/**
 * Compiles one module: `entry` and `out` relative to `baseDir`, the SDK at `sdkDir` (relative to
 * `baseDir`). Returns `{ ok: true }` or `{ ok: false, errors }` with formatted diagnostics
 * (file names relative to `baseDir`).
 */
export async function compileModule({ baseDir, entry, out, sdkDir = 'sdk/assembly', debug }) {
  let diagnostics = '';
  const sink = {
    write: text => {
      diagnostics += text;
      return true;
    },
  };
  mkdirSync(path.dirname(path.join(baseDir, out)), { recursive: true });
  const { error } = await asc.main(
    [
      entry,
      '-o',
      out,
      '--runtime',
      'incremental',
      '--importMemory',
      '--noColors',
      ...(debug ? ['--debug'] : ['--optimizeLevel', '3', '--shrinkLevel', '0']),
      '--use',
      `abort=${sdkDir}/abort/__wasmbase_abort`,
      '--transform',
      TRANSFORM,
      '--baseDir',
      baseDir,
    ],
    { stdout: sink, stderr: sink },
  );
  if (!error) return { ok: true };
  return { ok: false, errors: formatDiagnostics(diagnostics) || error.message };
}

/**
 * Builds modules. `only` limits it to some module paths (relative to modules/); `force`
 * rebuilds even when up to date. A module that fails does not stop the others. Returns the
 * built, skipped and failed module paths (each failure with its `file:line:col: message`
 * lines); `throwOnFailure` (the default) throws after building the rest when one failed.
 */
export async function buildModules({
  root = ROOT,
  only,
  force = false,
  throwOnFailure = true,
  onProgress = () => {},
} = {}) {
  const modules = only ?? listModules(root);
  if (writeAbiConstants()) onProgress('wrote sdk/assembly/abi-constants.ts from the host tables');
  const sdkMtime = newestMtime(SDK_DIR);
  const built = [];
  const skipped = [];
  const failed = [];
  for (const rel of modules) {
    const dir = path.join(root, 'modules', rel);
    if (!existsSync(path.join(dir, 'index.ts'))) {
      failed.push({ module: rel, errors: `no module at modules/${rel} (expected index.ts)` });
      continue;
    }
    const out = moduleWasmPath(rel, root);
    const upToDate =
      existsSync(out) && statSync(out).mtimeMs >= Math.max(sdkMtime, newestMtime(dir));
    if (upToDate && !force) {
      skipped.push(rel);
      continue;
    }
    onProgress(`building modules/${rel} → ${path.relative(root, out)}`);
    const result = await compileModule({
      baseDir: root,
      entry: path.relative(root, path.join(dir, 'index.ts')),
      out: path.relative(root, out),
    });
    if (result.ok) built.push(rel);
    else {
      failed.push({ module: rel, errors: result.errors });
      onProgress(`modules/${rel} failed:\n${result.errors}`);
    }
  }
  if (failed.length > 0 && throwOnFailure)
    throw new Error(
      failed.map(f => `building modules/${f.module} failed:\n${f.errors}`).join('\n') +
        `\n(${built.length} other module(s) built, ${skipped.length} up to date)`,
    );
  return { built, skipped, failed };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const only = args.filter(a => !a.startsWith('--'));
  try {
    const t0 = Date.now();
    const { built, skipped } = await buildModules({
      force,
      only: only.length > 0 ? only : undefined,
      onProgress: line => process.stdout.write(line + '\n'),
    });
    process.stdout.write(
      `modules: ${built.length} built, ${skipped.length} up to date (${Date.now() - t0} ms)\n`,
    );
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
