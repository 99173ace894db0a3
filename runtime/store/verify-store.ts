/**
 * @module
 * Refusing a damaged data directory before anything opens it. LMDB keeps no checksums and
 * crashes the process on a damaged page, so every environment of the data directory (the
 * catalog in `system/`, each database in `databases/<hex>/`) is first read end to end by a
 * child process (`verify-child.ts`). A clean run lets the server start; a read error, a crash
 * of the child or a truncated file ends in `STORE_DAMAGED`, naming the environment and what to
 * do, and the server does not start. It never serves from a directory that failed the check.
 *
 * What it catches: anything that makes LMDB fail or crash while reading (damaged meta or tree
 * pages, truncation, garbage). What it cannot catch: a flipped byte inside a row's value that
 * leaves the tree intact; LMDB has no per-page checksums (documented in README.md here).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WasmbaseError } from '../protocol/index.js';

export interface VerifyReport {
  /** Environments read end to end. */
  readonly environments: number;
  /** Entries read in all of them. */
  readonly entries: number;
  /** Key and value bytes read. */
  readonly bytes: number;
}

/** The compiled child script: next to this file in dist/, or under dist/ from the sources. */
function childScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'verify-child.js');
  const built = path.resolve(path.dirname(here), '../../dist/runtime/store/verify-child.js');
  if (!existsSync(built))
    throw new WasmbaseError('UNAVAILABLE', `${built} is missing: run "npm run build" first`);
  return built;
}

/** Every LMDB environment under `dataDir` that has a data file. */
export function dataDirEnvironments(dataDir: string): string[] {
  const out: string[] = [];
  const system = path.join(dataDir, 'system');
  if (existsSync(path.join(system, 'data.mdb'))) out.push(system);
  const databases = path.join(dataDir, 'databases');
  if (!existsSync(databases)) return out;
  for (const name of readdirSync(databases).sort()) {
    const dir = path.join(databases, name);
    if (existsSync(path.join(dir, 'data.mdb'))) out.push(dir);
  }
  return out;
}

function damaged(dataDir: string, env: string, what: string): WasmbaseError {
  const rel = path.relative(dataDir, env) || env;
  return new WasmbaseError(
    'STORE_DAMAGED',
    `the data directory ${dataDir} is damaged: ${rel} cannot be read (${what}). ` +
      'wasmbase will not start on it. Restore it from a backup (wasmbase restore), or move ' +
      `${rel} away to start without it.`,
    { environment: rel },
  );
}

/** Why an environment could not be read: which one, and what happened. */
export interface VerifyFailure {
  readonly environment: string;
  readonly what: string;
}

export interface VerifyOptions {
  /** Also write and remove a probe key in each environment (untrusted files only). */
  readonly writeProbe?: boolean;
}

/**
 * Reads each environment in `envs` end to end in a child process. Returns the figures, or the
 * first environment that failed and why (a read error, a crash of the child, an early exit).
 */
export async function verifyEnvironments(
  envs: readonly string[],
  options: VerifyOptions = {},
): Promise<VerifyReport | VerifyFailure> {
  if (envs.length === 0) return { environments: 0, entries: 0, bytes: 0 };
  const flags = options.writeProbe === true ? ['--write-probe'] : [];
  const child = spawn(process.execPath, [childScriptPath(), ...flags, ...envs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-2000)));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  let current: string | undefined;
  let entries = 0;
  let bytes = 0;
  for (const line of out.split('\n')) {
    const [word = '', env = '', a = '', b = ''] = line.split('\t');
    if (word === 'checking') current = env;
    if (word === 'error') return { environment: env, what: a };
    if (word !== 'ok') continue;
    entries += Number(a);
    bytes += Number(b);
    current = undefined;
  }
  if (code === 0 && signal === null && current === undefined)
    return { environments: envs.length, entries, bytes };
  const cause = signal !== null ? `reading it crashed with ${signal}` : `exit code ${code}`;
  const detail = err.trim().split('\n').at(-1) ?? '';
  return { environment: current ?? envs[0]!, what: detail === '' ? cause : `${cause}: ${detail}` };
}

const failed = (r: VerifyReport | VerifyFailure): r is VerifyFailure => 'what' in r;

/** Reads every environment of `dataDir` in a child process; throws `STORE_DAMAGED` if one fails. */
export async function verifyDataDir(dataDir: string): Promise<VerifyReport> {
  const result = await verifyEnvironments(dataDirEnvironments(dataDir));
  if (failed(result)) throw damaged(dataDir, result.environment, result.what);
  return result;
}

/**
 * Checks an environment written from an untrusted file (an archive's snapshot) before anything
 * in this process opens it: read end to end and written once, in a child process. A file that
 * fails is refused with `ARCHIVE_INVALID`.
 */
export async function verifyUntrustedEnvironment(envDir: string): Promise<void> {
  const result = await verifyEnvironments([envDir], { writeProbe: true });
  if (!failed(result)) return;
  const what = result.what.split(envDir).join('<snapshot>');
  throw new WasmbaseError(
    'ARCHIVE_INVALID',
    `the archive is damaged or not an archive: its snapshot cannot be read (${what})`,
  );
}
