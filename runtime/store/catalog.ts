/**
 * @module
 * The system catalog (`<dataDir>/system`): databases, their names, and module bytes by hash.
 * Every multi-step change runs in one LMDB transaction, so a crash leaves the old or the new
 * state, never a mix.
 *
 * Keys: `db:<identity hex>` → DatabaseRecord (JSON); `name:<name>` → identity hex;
 * `module:<sha256 hex>` → module bytes; `kv:<area>:<key>` → small values of other subsystems.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { WasmbaseError } from '../protocol/index.js';

export interface DatabaseRecord {
  readonly identity: string;
  readonly owner: string;
  readonly moduleHash: string;
  readonly initialModuleHash: string;
  readonly names: readonly string[];
  /** Microseconds since the Unix epoch, as a decimal string. */
  readonly createdAt: string;
}

export interface Catalog {
  getDatabase(identity: string): DatabaseRecord | undefined;
  listDatabases(): DatabaseRecord[];
  /** Identity hex of the database with this name. */
  lookupName(name: string): string | undefined;
  /**
   * Creates or replaces a record and (re)binds its names; NAME_TAKEN if a name belongs to another
   * database.
   */
  putDatabase(record: DatabaseRecord): Promise<void>;
  /** Removes a database record and frees its names. */
  deleteDatabase(identity: string): Promise<void>;
  putModule(hash: string, bytes: Uint8Array): Promise<void>;
  getModule(hash: string): Uint8Array | undefined;
  getValue(area: string, key: string): string | undefined;
  putValue(area: string, key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function openCatalog(path: string): Catalog {
  mkdirSync(path, { recursive: true });
  const env: RootDatabase<Uint8Array, Uint8Array> = open<Uint8Array, Uint8Array>({
    path,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  const key = (s: string) => Buffer.from(enc.encode(s));
  const getText = (k: string): string | undefined => {
    const v = env.getBinary(key(k));
    return v === undefined ? undefined : dec.decode(v);
  };
  const putText = (k: string, v: string) => env.putSync(key(k), Buffer.from(enc.encode(v)));

  const catalog: Catalog = {
    getDatabase(identity) {
      const text = getText(`db:${identity}`);
      return text === undefined ? undefined : (JSON.parse(text) as DatabaseRecord);
    },
    listDatabases() {
      const out: DatabaseRecord[] = [];
      for (const { value } of env.getRange({ start: key('db:'), end: key('db;') }))
        out.push(JSON.parse(dec.decode(value)) as DatabaseRecord);
      return out;
    },
    lookupName(name) {
      return getText(`name:${name}`);
    },
    async putDatabase(record) {
      env.transactionSync(() => {
        for (const name of record.names) {
          const owner = getText(`name:${name}`);
          if (owner !== undefined && owner !== record.identity)
            throw new WasmbaseError(
              'NAME_TAKEN',
              `the name "${name}" is already used by another database`,
              { name },
            );
        }
        const previous = catalog.getDatabase(record.identity);
        for (const old of previous?.names ?? [])
          if (!record.names.includes(old)) env.removeSync(key(`name:${old}`));
        for (const name of record.names) putText(`name:${name}`, record.identity);
        putText(`db:${record.identity}`, JSON.stringify(record));
      });
      await env.flushed;
    },
    async deleteDatabase(identity) {
      env.transactionSync(() => {
        const previous = catalog.getDatabase(identity);
        for (const name of previous?.names ?? []) env.removeSync(key(`name:${name}`));
        env.removeSync(key(`db:${identity}`));
      });
      await env.flushed;
    },
    async putModule(hash, bytes) {
      env.transactionSync(() => env.putSync(key(`module:${hash}`), Buffer.from(bytes)));
      await env.flushed;
    },
    getModule(hash) {
      const v = env.getBinary(key(`module:${hash}`));
      return v === undefined ? undefined : new Uint8Array(v);
    },
    getValue(area, k) {
      return getText(`kv:${area}:${k}`);
    },
    async putValue(area, k, value) {
      env.transactionSync(() => putText(`kv:${area}:${k}`, value));
      await env.flushed;
    },
    async close() {
      await env.flushed;
      await env.close();
    },
  };
  return catalog;
}

/**
 * Runs `read` on the catalog stored in `dataFile` (a `system/data.mdb` of a backup), opened from
 * a temporary copy so the backup itself is never written (LMDB adds a lock file), then removes
 * the copy.
 */
export async function readCatalogCopy<T>(
  dataFile: string,
  read: (catalog: Catalog) => T,
): Promise<T> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbase-catalog-copy-'));
  try {
    copyFileSync(dataFile, path.join(tmp, 'data.mdb'));
    const catalog = openCatalog(tmp);
    try {
      return read(catalog);
    } finally {
      await catalog.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
