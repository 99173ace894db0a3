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

/**
 * Builds modules. `only` limits it to some module paths (relative to modules/); `force`
 * rebuilds even when up to date. Returns the built and skipped module paths; throws with the
 * compiler's diagnostics when one fails.
 */
export async function buildModules({
  root = ROOT,
  only,
  force = false,
  onProgress = () => {},
} = {}) {
  const modules = only ?? listModules(root);
  if (writeAbiConstants()) onProgress('wrote sdk/assembly/abi-constants.ts from the host tables');
  const sdkMtime = newestMtime(SDK_DIR);
  const built = [];
  const skipped = [];
  for (const rel of modules) {
    const dir = path.join(root, 'modules', rel);
    if (!existsSync(path.join(dir, 'index.ts')))
      throw new Error(`no module at modules/${rel} (expected modules/${rel}/index.ts)`);
    const out = moduleWasmPath(rel, root);
    const upToDate =
      existsSync(out) && statSync(out).mtimeMs >= Math.max(sdkMtime, newestMtime(dir));
    if (upToDate && !force) {
      skipped.push(rel);
      continue;
    }
    mkdirSync(path.dirname(out), { recursive: true });
    onProgress(`building modules/${rel} → ${path.relative(root, out)}`);
    let diagnostics = '';
    const sink = {
      write: text => {
        diagnostics += text;
        return true;
      },
    };
    const { error } = await asc.main(
      [
        path.relative(root, path.join(dir, 'index.ts')),
        '-o',
        path.relative(root, out),
        '--config',
        'asconfig.json',
        '--target',
        'release',
        '--transform',
        TRANSFORM,
        '--baseDir',
        root,
      ],
      { stdout: sink, stderr: sink },
    );
    if (error) throw new Error(`building modules/${rel} failed:\n${diagnostics || error.message}`);
    built.push(rel);
  }
  return { built, skipped };
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
