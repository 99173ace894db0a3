/**
 * @module
 * The web page of an example: `examples/<name>-web/` (`index.html`, `main.ts`, `style.css`, and
 * the bindings in `module_bindings/`), bundled with esbuild into `examples/<name>-web/build/`,
 * the directory `wasmbase start --example <name>` then serves at `/` (`--web-dir`).
 *
 * Before bundling, the module is built and its bindings regenerated (written only when they
 * changed), so an edit to `modules/<name>` reaches the page as it reaches the database. esbuild
 * is a development dependency: where it is not installed, a bundle built before is served as it
 * is, and without one the start stops with a message saying what to install.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { validateModule } from '../../runtime/host/index.js';
import { CliError } from './client.js';
import { generateTypescript } from './generate.js';
import { modulesApi, PACKAGE_ROOT } from './modules-api.js';

/** Files of the page copied next to the bundle as they are. */
const COPIED = /\.(html|css|svg|png|ico)$/;

/** The example's web folder, if it has one. */
export function exampleWebDir(example: string): string | undefined {
  const dir = path.join(PACKAGE_ROOT, 'examples', `${example}-web`);
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

/** Regenerates `module_bindings/` from the built module; true when a file changed. */
async function refreshBindings(example: string, dir: string, say: (l: string) => void) {
  const api = await modulesApi();
  await api.buildModules({ only: [example], onProgress: say });
  const wasm = new Uint8Array(readFileSync(api.moduleWasmPath(example)));
  const files = generateTypescript(validateModule(wasm, wasm.byteLength).schema, 'spacetimedb');
  const out = path.join(dir, 'module_bindings');
  mkdirSync(out, { recursive: true });
  let changed = false;
  for (const [name, text] of files) {
    const file = path.join(out, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writeFileSync(file, text);
    changed = true;
  }
  if (changed) say(`regenerated ${path.relative(process.cwd(), out)} from modules/${example}`);
}

/**
 * Bundles the example's page; the directory to serve, or undefined when the example has no page.
 */
export async function bundleExampleWeb(
  example: string,
  say: (line: string) => void,
): Promise<string | undefined> {
  const dir = exampleWebDir(example);
  if (dir === undefined) return undefined;
  const out = path.join(dir, 'build');
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (existsSync(path.join(out, 'main.js'))) {
      say(`esbuild is not installed: serving the page bundled before, in ${out}`);
      return out;
    }
    throw new CliError(
      `the ${example} page needs bundling and esbuild is not installed: npm install -D esbuild`,
    );
  }
  await refreshBindings(example, dir, say);
  mkdirSync(out, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: PACKAGE_ROOT,
      entryPoints: [path.join(dir, 'main.ts')],
      outfile: path.join(out, 'main.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      // This repository keeps SDK 1.x under the npm name `spacetimedb` (for its 1.x tests) and
      // 2.x as `spacetimedb2`; the generated bindings import `spacetimedb`, meaning 2.x.
      alias: { spacetimedb: 'spacetimedb2' },
      logLevel: 'silent',
    });
  } catch (err) {
    throw new CliError(`bundling the ${example} page failed: ${(err as Error).message}`);
  }
  for (const name of readdirSync(dir))
    if (COPIED.test(name)) copyFileSync(path.join(dir, name), path.join(out, name));
  say(`bundled the ${example} page into ${path.relative(process.cwd(), out) || '.'}`);
  return out;
}
