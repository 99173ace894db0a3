/**
 * @module
 * Online backups of a data directory and their restore.
 *
 * A backup copies every LMDB environment of a data directory (`system`, the catalog, and each
 * `databases/<identity>`) with LMDB's compacting copy. The copy runs inside one read
 * transaction per environment, so each database is a consistent snapshot at a commit boundary
 * while writers (in this process or the running server) keep going: every commit acknowledged
 * before the copy started is in it, and no partial commit ever is.
 *
 * `manifest.json` records each environment's file, size and SHA-256, and for each database its
 * module hash, its commit point (`lastCommit`, the store's commit count in the copy) and a
 * summary of its schema (tables with their columns, reducers), read from its module in the
 * copied catalog. The catalog is copied last, so it knows every database copied before it.
 * Restore checks the whole
 * manifest and every checksum before it writes anything, and refuses a damaged, truncated or
 * partial backup with `BACKUP_INVALID`; it writes only into an empty (or absent) directory.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import {
  moduleDefFromJsonText,
  resolveModuleSchema,
  SCHEMA_SECTION,
  WasmbaseError,
} from '../protocol/index.js';
import { readCatalogCopy } from './catalog.js';
import { readRecordedMeta } from './database-store.js';

export const BACKUP_FORMAT = 'wasmbase-backup';
export const BACKUP_VERSION = 1;
/** The largest manifest restore reads (a manifest lists one short entry per database). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** One copied LMDB environment. `name` is its path under the data directory. */
export interface BackupEntry {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The module hash recorded in the copied database (absent for `system`). */
  readonly moduleHash?: string;
  /** Commits the copied database had applied: the point the copy is consistent at. */
  readonly lastCommit?: number;
  /** The copied database's tables and reducers (absent when its module is not in the copy). */
  readonly schema?: BackupSchemaSummary;
}

/** What a backup's manifest says about a database's schema. */
export interface BackupSchemaSummary {
  readonly tables: ReadonlyArray<{ readonly name: string; readonly columns: readonly string[] }>;
  readonly reducers: readonly string[];
}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly createdAt: string;
  readonly entries: readonly BackupEntry[];
}

export interface BackupOptions {
  /** Called with one line per copied environment. */
  readonly onProgress?: (line: string) => void;
  /** Back up only these database identities (hex); the catalog is always included. */
  readonly only?: readonly string[];
}

const NAME_PATTERN = /^(system|databases\/[0-9a-zA-Z_-]{1,128})$/;
const DATA_FILE = 'data.mdb';

/** The environment names of a data directory: `system` and `databases/<id>`. */
function environmentsOf(dataDir: string): string[] {
  const names: string[] = [];
  if (existsSync(path.join(dataDir, 'system', DATA_FILE))) names.push('system');
  const dbRoot = path.join(dataDir, 'databases');
  if (existsSync(dbRoot)) {
    for (const id of readdirSync(dbRoot).sort()) {
      if (existsSync(path.join(dbRoot, id, DATA_FILE))) names.push(`databases/${id}`);
    }
  }
  return names.filter(n => NAME_PATTERN.test(n));
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function assertEmptyTarget(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new WasmbaseError('BACKUP_TARGET_NOT_EMPTY', `${dir} exists and is not empty`, {
      path: dir,
    });
  }
}

/** Copies every environment of `dataDir` into `outDir` (empty or absent) with a manifest. */
export async function backupDataDir(
  dataDir: string,
  outDir: string,
  options: BackupOptions = {},
): Promise<BackupManifest> {
  assertEmptyTarget(outDir);
  const only = options.only;
  const names = environmentsOf(dataDir)
    .filter(
      n => only === undefined || n === 'system' || only.includes(n.slice('databases/'.length)),
    )
    .sort((a, b) => Number(a === 'system') - Number(b === 'system'));
  if (names.length === 0) {
    throw new WasmbaseError('INVALID_ARGUMENT', `${dataDir} holds no wasmbase data`, {
      path: dataDir,
    });
  }
  const missing = (only ?? []).filter(id => !names.includes(`databases/${id}`));
  if (missing.length > 0) {
    throw new WasmbaseError('INVALID_ARGUMENT', `no database ${missing.join(', ')} in ${dataDir}`, {
      missing,
    });
  }
  const entries: BackupEntry[] = [];
  for (const [i, name] of names.entries()) {
    const target = path.join(outDir, name);
    mkdirSync(target, { recursive: true });
    const env = open<Uint8Array, Uint8Array>({
      path: path.join(dataDir, name),
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    try {
      await env.backup(target, true);
    } finally {
      await env.close();
    }
    const file = `${name}/${DATA_FILE}`;
    const full = path.join(outDir, file);
    const meta = name === 'system' ? undefined : await readRecordedMeta(target);
    const moduleHash = meta?.moduleHash;
    const entry: BackupEntry = {
      name,
      file,
      bytes: statSync(full).size,
      sha256: sha256File(full),
      ...(moduleHash === undefined ? {} : { moduleHash }),
      ...(meta === undefined ? {} : { lastCommit: meta.commitSeq }),
    };
    entries.push(entry);
    options.onProgress?.(`[${i + 1}/${names.length}] ${name}: ${entry.bytes} bytes`);
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date().toISOString(),
    entries: await withSchemas(outDir, entries),
  };
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The tables (with columns) and reducers a module declares, from its schema section. */
function summarize(moduleBytes: Uint8Array): BackupSchemaSummary | undefined {
  const module = new WebAssembly.Module(moduleBytes);
  const [section] = WebAssembly.Module.customSections(module, SCHEMA_SECTION);
  if (section === undefined) return undefined;
  const schema = resolveModuleSchema(moduleDefFromJsonText(new Uint8Array(section)));
  return {
    tables: schema.tables.map(t => ({ name: t.name, columns: t.columns.map(c => c.name) })),
    reducers: schema.reducers.map(r => r.name),
  };
}

/** `entries` with each database's schema summary, read from the copied catalog's modules. */
async function withSchemas(outDir: string, entries: BackupEntry[]): Promise<BackupEntry[]> {
  const system = path.join(outDir, 'system', DATA_FILE);
  if (!existsSync(system)) return entries;
  return readCatalogCopy(system, catalog =>
    entries.map(entry => {
      const bytes =
        entry.moduleHash === undefined ? undefined : catalog.getModule(entry.moduleHash);
      const schema = bytes === undefined ? undefined : summarize(bytes);
      return schema === undefined ? entry : { ...entry, schema };
    }),
  );
}

function invalid(message: string, details?: Record<string, unknown>): WasmbaseError {
  return new WasmbaseError('BACKUP_INVALID', message, details);
}

function parseEntry(raw: unknown, index: number): BackupEntry {
  if (typeof raw !== 'object' || raw === null) throw invalid(`manifest entry ${index} invalid`);
  const e = raw as Record<string, unknown>;
  const { name, file, bytes, sha256 } = e;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || file !== `${name}/${DATA_FILE}`) {
    throw invalid(`manifest entry ${index} has a bad name or file`, { index });
  }
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw invalid(`manifest entry ${index} has a bad size`, { index });
  }
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw invalid(`manifest entry ${index} has a bad checksum`, { index });
  }
  const moduleHash = typeof e['moduleHash'] === 'string' ? e['moduleHash'] : undefined;
  const lastCommit = e['lastCommit'];
  if (lastCommit !== undefined && !(Number.isSafeInteger(lastCommit) && Number(lastCommit) >= 0))
    throw invalid(`manifest entry ${index} has a bad lastCommit`, { index });
  return {
    name,
    file,
    bytes,
    sha256,
    ...(moduleHash === undefined ? {} : { moduleHash }),
    ...(typeof lastCommit === 'number' ? { lastCommit } : {}),
  };
}

/** Reads and validates `manifest.json` of a backup directory. */
export function readManifest(backupDir: string): BackupManifest {
  const file = path.join(backupDir, 'manifest.json');
  if (!existsSync(file)) throw invalid(`${backupDir} has no manifest.json (partial backup?)`);
  if (statSync(file).size > MAX_MANIFEST_BYTES) throw invalid('manifest.json is too large');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw invalid('manifest.json is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw invalid('manifest.json is not an object');
  const m = raw as Record<string, unknown>;
  if (m['format'] !== BACKUP_FORMAT || m['version'] !== BACKUP_VERSION) {
    throw invalid('manifest.json is not a wasmbase backup of a known version');
  }
  const list = m['entries'];
  if (!Array.isArray(list) || list.length === 0) throw invalid('manifest.json lists nothing');
  const entries = list.map((e: unknown, i) => parseEntry(e, i));
  if (new Set(entries.map(e => e.name)).size !== entries.length) {
    throw invalid('manifest.json lists an environment twice');
  }
  const createdAt = typeof m['createdAt'] === 'string' ? m['createdAt'] : '';
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt, entries };
}

/** Checks every file of a backup against its manifest; throws `BACKUP_INVALID` on damage. */
export function verifyBackup(backupDir: string): BackupManifest {
  const manifest = readManifest(backupDir);
  for (const entry of manifest.entries) {
    const full = path.join(backupDir, entry.file);
    if (!existsSync(full)) throw invalid(`${entry.file} is missing`, { file: entry.file });
    const size = statSync(full).size;
    if (size !== entry.bytes) {
      throw invalid(`${entry.file} is ${size} bytes, the manifest says ${entry.bytes}`, {
        file: entry.file,
      });
    }
    if (sha256File(full) !== entry.sha256) {
      throw invalid(`${entry.file} does not match its checksum`, { file: entry.file });
    }
  }
  return manifest;
}

/** Verifies `backupDir`, then copies it into `dataDir`, which must be empty or absent. */
export function restoreDataDir(
  backupDir: string,
  dataDir: string,
  options: BackupOptions = {},
): BackupManifest {
  const manifest = verifyBackup(backupDir);
  assertEmptyTarget(dataDir);
  for (const [i, entry] of manifest.entries.entries()) {
    mkdirSync(path.join(dataDir, entry.name), { recursive: true });
    copyFileSync(path.join(backupDir, entry.file), path.join(dataDir, entry.file));
    options.onProgress?.(`[${i + 1}/${manifest.entries.length}] restored ${entry.name}`);
  }
  return manifest;
}
