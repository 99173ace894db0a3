/**
 * @module
 * Standalone module projects: a folder with `wasmbase.json` (`{"database", "module"}`), the
 * module's AssemblyScript sources, and the SDK at `node_modules/wasmbase/sdk/assembly` (a link
 * to this package, made by `wasmbase init` or `npm install`). The module builds to
 * `build/<database>.wasm`; compile errors come back as `file:line:col: message` lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './client.js';
import { modulesApi } from './modules-api.js';

export const PROJECT_FILE = 'wasmbase.json';
const SDK_DIR = 'node_modules/wasmbase/sdk/assembly';
const MAX_PROJECT_FILE_BYTES = 64 * 1024;
/** The server's rule for database names. */
const NAME = /^(?!.*--)[a-z][a-z0-9-]{1,62}[a-z0-9]$/;

export interface Project {
  /** The folder holding wasmbase.json. */
  readonly dir: string;
  /** The database to publish to. */
  readonly database: string;
  /** The entry file, relative to `dir`. */
  readonly module: string;
}

/** Whether `name` is usable as a project and database name. */
export function isProjectName(name: string): boolean {
  return NAME.test(name);
}

/** Reads and checks `<dir>/wasmbase.json`. */
export function readProject(dir: string): Project {
  const file = path.join(dir, PROJECT_FILE);
  const text = readFileSync(file, 'utf8');
  if (text.length > MAX_PROJECT_FILE_BYTES) throw new CliError(`${file} is too large`);
  let parsed: { database?: string; module?: string };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const { database, module = 'index.ts' } = parsed;
  if (typeof database !== 'string' || !isProjectName(database))
    throw new CliError(`${file}: "database" must be a name like "my-app" (a-z, 0-9, -; 3 to 64)`);
  if (typeof module !== 'string' || path.isAbsolute(module) || module.includes('..'))
    throw new CliError(`${file}: "module" must be a file inside the project, like "index.ts"`);
  return { dir, database, module };
}

/** The project holding `from` (it or a parent folder has wasmbase.json), if any. */
export function findProject(from: string): Project | undefined {
  let dir = path.resolve(from);
  for (let i = 0; i < 64; i++) {
    if (existsSync(path.join(dir, PROJECT_FILE))) return readProject(dir);
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** Where the project's module is written. */
export function projectWasmPath(project: Project): string {
  return path.join(project.dir, 'build', `${project.database}.wasm`);
}

/** Compiles the project; returns the .wasm path or throws a CliError with the diagnostics. */
export async function buildProject(
  project: Project,
  progress: (line: string) => void,
  debug = false,
): Promise<string> {
  if (!existsSync(path.join(project.dir, SDK_DIR, 'index.ts')))
    throw new CliError(
      `${project.dir} has no ${SDK_DIR}: run "npm install" there (or "wasmbase init" again)`,
    );
  const out = projectWasmPath(project);
  progress(`building ${project.module} → ${path.relative(process.cwd(), out) || out}`);
  const api = await modulesApi();
  const result = await api.compileModule({
    baseDir: project.dir,
    entry: project.module,
    out: path.relative(project.dir, out),
    sdkDir: SDK_DIR,
    debug,
  });
  if (!result.ok) {
    const rel = path.relative(process.cwd(), project.dir);
    const errors = result.errors
      .split('\n')
      .map(l => (rel === '' || /^(error|warning)/.test(l) ? l : path.join(rel, l)))
      .join('\n');
    throw new CliError(`build failed:\n${errors}`);
  }
  return out;
}
