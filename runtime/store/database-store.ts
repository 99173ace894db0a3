/**
 * @module
 * One database's LMDB environment: read snapshots, batches, and the commit of write sets.
 *
 * Durability: lmdb-js commits a `transactionSync` and flushes it to disk afterwards
 * (`overlappingSync`); `env.flushed` resolves once the data is on disk. `commit` returns that
 * promise as `durable`, and callers acknowledge only after it resolves, so an acknowledged
 * write survives `kill -9` and power loss alike. Opening the same path again in another
 * thread of the process (the reducer workers) shares the environment.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { WasmbaseError } from '../protocol/index.js';
import type { IndexSchema, ModuleSchema } from '../protocol/index.js';
import type { BatchTx, ReadTx, TableMigrationSpec, WriteSet } from './store-types.js';
import { LmdbKv, OverlayKv } from './kv.js';
import { OverlayBatchTx } from './batch-tx.js';
import {
  compileTable,
  indexEntryKey,
  PREFIX,
  prefixSuccessor,
  rowHashKey,
  type TableCodec,
} from './table-codec.js';
import { TableView, type StoreLayout } from './table-view.js';
import { forEachWrite } from './write-set.js';

const STORAGE_IDS_KEY = Uint8Array.of(PREFIX.META, ...new TextEncoder().encode('storage-ids'));
const MODULE_HASH_KEY = Uint8Array.of(PREFIX.META, ...new TextEncoder().encode('module-hash'));
/** How many write sets `commit` has applied, as u64 little-endian: a backup's commit point. */
const COMMIT_SEQ_KEY = Uint8Array.of(PREFIX.META, ...new TextEncoder().encode('commit-seq'));

function readCommitSeq(env: RootDatabase<Uint8Array, Uint8Array>): number {
  const v = env.getBinary(COMMIT_SEQ_KEY as Buffer);
  if (v === undefined || v.length !== 8) return 0;
  return Number(new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true));
}

function encodeCommitSeq(seq: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(seq));
  return out;
}

export interface StorageIds {
  tables: Record<string, number>;
  indexes: Record<string, number>;
  next: number;
}

export interface DatabaseStoreOptions {
  /** LMDB map size in bytes (grows automatically; this is the initial reservation). */
  readonly mapSize?: number;
}

/**
 * Disk use of a database's LMDB file. `usedPages` are the pages the file has grown to;
 * `livePages` hold data (tree pages, overflow pages, the free list and the two meta pages);
 * `freePages` is the rest: space freed by deletes and old versions, reused by later writes
 * and given back to the file system only by `wasmbase compact`.
 */
export interface DiskUse {
  readonly fileBytes: number;
  readonly pageSize: number;
  readonly usedPages: number;
  readonly livePages: number;
  readonly freePages: number;
  readonly freeBytes: number;
  readonly entries: number;
}

interface LmdbTreeStats {
  readonly pageSize: number;
  readonly treeBranchPageCount: number;
  readonly treeLeafPageCount: number;
  readonly overflowPages: number;
  readonly entryCount: number;
}

interface LmdbEnvStats extends LmdbTreeStats {
  readonly lastPageNumber: number;
  readonly free?: LmdbTreeStats;
}

const treePages = (t: LmdbTreeStats | undefined): number =>
  t === undefined ? 0 : t.treeBranchPageCount + t.treeLeafPageCount + t.overflowPages;

function diskUseOf(stats: LmdbEnvStats, fileBytes: number): DiskUse {
  const usedPages = stats.lastPageNumber + 1;
  const livePages = Math.min(usedPages, treePages(stats) + treePages(stats.free) + 2);
  const freePages = usedPages - livePages;
  return {
    fileBytes,
    pageSize: stats.pageSize,
    usedPages,
    livePages,
    freePages,
    freeBytes: freePages * stats.pageSize,
    entries: stats.entryCount,
  };
}

export interface DatabaseStore {
  readonly path: string;
  /** How much of the file holds data and how much is free pages. */
  diskUse(): DiskUse;
  readonly schema: ModuleSchema;
  /** A consistent read snapshot; call `close()` when done. */
  read(): ReadTx;
  /**
   * A batch overlay on the current committed state (never takes the write lock). `base` is the
   * write set of a previous batch that may not be committed yet: the batch sees it as if it were
   * (so execution of batch k+1 can overlap the commit of batch k).
   */
  beginBatch(base?: WriteSet): BatchTx;
  /** Applies a write set in one synchronous transaction; `durable` resolves once flushed. */
  commit(ws: WriteSet): { readonly durable: Promise<void> };
  /**
   * Rewrites storage for a new module in one transaction: appends default values to rows, builds
   * and drops indexes, and records `moduleHash` as the module the data now belongs to.
   */
  migrate(changes: readonly TableMigrationSpec[], moduleHash: string): Promise<void>;
  /** The module hash recorded by the last migration or `setModuleHash`, if any. */
  moduleHash(): string | undefined;
  setModuleHash(hash: string): Promise<void>;
  /** Deletes every row, index entry, counter and sequence (durable when the promise resolves). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

function loadStorageIds(db: RootDatabase<Uint8Array, Uint8Array>): StorageIds {
  const raw = db.getBinary(STORAGE_IDS_KEY as Buffer);
  if (raw === undefined) return { tables: {}, indexes: {}, next: 1 };
  return JSON.parse(new TextDecoder().decode(raw)) as StorageIds;
}

/**
 * Codecs for every table and index of `schema`, drawing storage ids for new names from `ids`
 * (exported for store tests).
 */
export function buildLayout(
  schema: ModuleSchema,
  ids: StorageIds,
): { layout: StoreLayout; changed: boolean } {
  let changed = false;
  const assign = (map: Record<string, number>, name: string): number => {
    let id = map[name];
    if (id === undefined) {
      id = ids.next++;
      if (id > 0xffff)
        throw new WasmbaseError(
          'LIMIT_EXCEEDED',
          'too many tables and indexes over the life of this database',
        );
      map[name] = id;
      changed = true;
    }
    return id;
  };
  const tables: TableCodec[] = schema.tables.map(t =>
    compileTable(t, assign(ids.tables, t.name), (ix: IndexSchema) =>
      assign(ids.indexes, `${t.name}.${ix.name}`),
    ),
  );
  const indexes = schema.indexes.map(ix =>
    tables[ix.tableId]!.indexes.find(c => c.schema.id === ix.id)!,
  );
  const indexTable = schema.indexes.map(ix => tables[ix.tableId]!);
  return { layout: { tables, indexes, indexTable }, changed };
}

class LmdbReadTx extends TableView implements ReadTx {
  constructor(
    layout: StoreLayout,
    kv: LmdbKv,
    private readonly release: () => void,
  ) {
    super(layout, kv);
  }
  close(): void {
    this.release();
  }
}

/** Opens (creating if needed) the store at `path` for `schema`. */
export function openDatabaseStore(
  path: string,
  schema: ModuleSchema,
  options: DatabaseStoreOptions = {},
): DatabaseStore {
  mkdirSync(path, { recursive: true });
  let env: RootDatabase<Uint8Array, Uint8Array>;
  try {
    env = open<Uint8Array, Uint8Array>({
      path,
      keyEncoding: 'binary',
      encoding: 'binary',
      mapSize: options.mapSize ?? 64 * 1024 * 1024,
      pageSize: 4096,
    });
  } catch (err) {
    throw new WasmbaseError(
      'STORAGE_FAILURE',
      `cannot open the database store at ${path}: ` +
        `${err instanceof Error ? err.message : String(err)}`,
      undefined,
      { cause: err },
    );
  }
  const ids = loadStorageIds(env);
  const { layout, changed } = buildLayout(schema, ids);
  if (changed)
    env.transactionSync(() =>
      env.putSync(STORAGE_IDS_KEY as Buffer, Buffer.from(JSON.stringify(ids))),
    );
  const kv = new LmdbKv(env);
  let commitSeq = readCommitSeq(env);
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new WasmbaseError('UNAVAILABLE', 'the database store is closed');
  };

  return {
    path,
    schema,
    read() {
      assertOpen();
      const txn = env.useReadTransaction();
      const pinned = new LmdbKv(env, txn);
      return new LmdbReadTx(layout, pinned, () => txn.done());
    },
    beginBatch(base) {
      assertOpen();
      env.resetReadTxn();
      if (base === undefined || base.opCount === 0) return new OverlayBatchTx(layout, kv);
      const pending = new OverlayKv(kv);
      forEachWrite(base, (key, value) =>
        value === null ? pending.delete(key) : pending.put(key, value.slice()),
      );
      return new OverlayBatchTx(layout, pending);
    },
    commit(ws) {
      assertOpen();
      try {
        env.transactionSync(() => {
          forEachWrite(ws, (key, value) => {
            if (value === null) env.removeSync(key as Buffer);
            else env.putSync(key as Buffer, value as Buffer);
          });
          env.putSync(COMMIT_SEQ_KEY as Buffer, encodeCommitSeq(commitSeq + 1));
        });
        commitSeq++;
      } catch (err) {
        throw new WasmbaseError(
          'STORAGE_FAILURE',
          `commit failed: ${err instanceof Error ? err.message : String(err)}`,
          undefined,
          { cause: err },
        );
      }
      return { durable: env.flushed.then(() => undefined) };
    },
    async migrate(changes, moduleHash) {
      assertOpen();
      env.transactionSync(() => {
        for (const change of changes) {
          const table = layout.tables.find(t => t.schema.name === change.table);
          if (table === undefined)
            throw new WasmbaseError('INTERNAL', `migration names unknown table ${change.table}`);
          const rowRange = {
            start: table.rowPrefix as Buffer,
            end: prefixSuccessor(table.rowPrefix) as Buffer,
          };
          if (change.appendedDefaults.length > 0) {
            for (const { key, value } of env.getRange(rowRange)) {
              const old = value as Uint8Array;
              const row = new Uint8Array(old.length + change.appendedDefaults.length);
              row.set(old, 0);
              row.set(change.appendedDefaults, old.length);
              env.putSync(key as Buffer, row as Buffer);
              if (table.schema.primaryKey === undefined) {
                env.removeSync(rowHashKey(table, old) as Buffer);
                env.putSync(rowHashKey(table, row) as Buffer, key as Buffer);
              }
            }
          }
          for (const name of change.dropIndexes) {
            const sid = ids.indexes[`${table.schema.name}.${name}`];
            if (sid === undefined) continue;
            const prefix = Uint8Array.of(PREFIX.INDEX, (sid >>> 8) & 0xff, sid & 0xff);
            for (const key of env.getKeys({
              start: prefix as Buffer,
              end: prefixSuccessor(prefix) as Buffer,
            }))
              env.removeSync(key as Buffer);
          }
          const building = table.indexes.filter(
            ix => change.addIndexes.includes(ix.schema.name) && !ix.primary,
          );
          if (building.length > 0) {
            for (const { key, value } of env.getRange(rowRange)) {
              for (const ix of building)
                env.putSync(
                  indexEntryKey(table, ix, value as Uint8Array, key as Uint8Array) as Buffer,
                  key as Buffer,
                );
            }
          }
        }
        env.putSync(MODULE_HASH_KEY as Buffer, Buffer.from(moduleHash));
      });
      await env.flushed;
    },
    moduleHash() {
      const v = env.getBinary(MODULE_HASH_KEY as Buffer);
      return v === undefined ? undefined : Buffer.from(v).toString();
    },
    async setModuleHash(hash) {
      env.transactionSync(() => env.putSync(MODULE_HASH_KEY as Buffer, Buffer.from(hash)));
      await env.flushed;
    },
    async clear() {
      assertOpen();
      const keep = env.getBinary(STORAGE_IDS_KEY as Buffer);
      env.transactionSync(() => {
        for (const prefix of [
          PREFIX.ROW,
          PREFIX.INDEX,
          PREFIX.SEQUENCE,
          PREFIX.COUNT,
          PREFIX.ROW_ID,
          PREFIX.ROW_HASH,
        ]) {
          const start = Uint8Array.of(prefix);
          for (const key of env.getKeys({
            start: start as Buffer,
            end: prefixSuccessor(start) as Buffer,
          }))
            env.removeSync(key as Buffer);
        }
        if (keep !== undefined) env.putSync(STORAGE_IDS_KEY as Buffer, keep);
        env.removeSync(MODULE_HASH_KEY as Buffer);
      });
      await env.flushed;
    },
    diskUse() {
      const file = join(path, 'data.mdb');
      return diskUseOf(env.getStats() as LmdbEnvStats, existsSync(file) ? statSync(file).size : 0);
    },
    async close() {
      if (closed) return;
      closed = true;
      await env.flushed;
      await env.close();
    },
  };
}

/** What a database's store records about itself, read without knowing its schema. */
export interface RecordedMeta {
  /** The module the data belongs to (set by publish and migrations). */
  readonly moduleHash: string | undefined;
  /** How many commits the store has applied. */
  readonly commitSeq: number;
}

/** Reads `RecordedMeta` of the store at `path` (used by backups and at startup). */
export async function readRecordedMeta(path: string): Promise<RecordedMeta> {
  const env = open<Uint8Array, Uint8Array>({ path, keyEncoding: 'binary', encoding: 'binary' });
  try {
    const v = env.getBinary(MODULE_HASH_KEY as Buffer);
    const moduleHash = v === undefined ? undefined : Buffer.from(v).toString();
    return { moduleHash, commitSeq: readCommitSeq(env) };
  } finally {
    await env.close();
  }
}

/**
 * The module hash recorded in a database's store, read without knowing its schema (used at
 * startup to finish a publish that crashed between the migration and the catalog update).
 */
export async function readRecordedModuleHash(path: string): Promise<string | undefined> {
  return (await readRecordedMeta(path)).moduleHash;
}
