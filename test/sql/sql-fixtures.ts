/**
 * Shared fixtures of the SQL tests: a schema with data, and two backends to run it on (the
 * in-memory test double and the real LMDB store), each wrapped as the part of a
 * `DatabaseHandle` the SQL engine uses (`schema`, `read`, `transact`).
 */
import path from 'node:path';
import { afterAll } from 'vitest';
import type { DatabaseHandle } from '../../runtime/host/index.js';
import {
  encodeToBytes,
  Identity,
  type AlgebraicValue,
  type ModuleSchema,
} from '../../runtime/protocol/index.js';
import { openDatabaseStore, type BatchTx, type CallChanges } from '../../runtime/store/index.js';
import { runSql } from '../../runtime/api/index.js';
import { sqlResultsToJson } from '../../runtime/http/sql-json.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { tempDir } from '../helpers/temp-dir.js';
import { MemoryStoreDouble } from './memory-store-double.js';

export const OWNER = Identity.fromHex('c2'.padEnd(64, '1'));

export const schema = buildSchema([
  {
    name: 'person',
    columns: [
      { name: 'id', type: T.u32, pk: true, autoInc: true },
      { name: 'name', type: T.string, unique: true },
      { name: 'age', type: T.u8, index: true },
      { name: 'city', type: T.string },
      { name: 'nick', type: T.option(T.string) },
    ],
    multiIndexes: [['city', 'age']],
  },
  {
    name: 'pet',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'owner', type: T.u32, index: true },
      { name: 'kind', type: T.string },
      { name: 'weight', type: T.f64 },
    ],
  },
  {
    name: 'visit',
    columns: [
      { name: 'person', type: T.u32 },
      { name: 'place', type: T.string },
    ],
  },
  {
    name: 'secret',
    public: false,
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'note', type: T.string },
    ],
  },
  {
    name: 'account',
    columns: [
      { name: 'who', type: T.identity, pk: true },
      { name: 'data', type: T.bytes },
      { name: 'balance', type: T.i64 },
      { name: 'active', type: T.bool },
    ],
  },
]);

const none = { tag: 1, value: [] };
const some = (v: AlgebraicValue) => ({ tag: 0, value: v });
export const ID1 = 0x0100000000000000000000000000000000000000000000000000000000000001n;

export const DATA: Readonly<Record<string, readonly AlgebraicValue[][]>> = {
  // Ids are drawn from the auto-increment sequence (0 = draw one): 1..5 in this order.
  person: [
    [0, 'alice', 30, 'paris', some('al')],
    [0, 'bob', 25, 'london', none],
    [0, 'carol', 35, 'paris', none],
    [0, 'dave', 25, 'berlin', some('d')],
    [0, 'eve', 40, 'london', some('e')],
  ],
  pet: [
    [1, 1, 'cat', 4.5],
    [2, 1, 'dog', 10],
    [3, 3, 'fish', 0.1],
    [4, 5, 'cat', 3],
  ],
  visit: [
    [1, 'louvre'],
    [2, 'tower'],
    [1, 'eiffel'],
    [9, 'nowhere'],
  ],
  secret: [[1, 'hidden']],
  account: [
    [[ID1], Uint8Array.of(0xde, 0xad), -5n, true],
    [[2n], Uint8Array.of(), 7n, false],
  ],
};

/** What the SQL engine needs of a database, over one of the backends. */
export interface TestDb {
  readonly handle: DatabaseHandle;
  readonly commits: { label: string; changes: CallChanges }[];
}

export interface Backend {
  readonly name: string;
  open(
    s: ModuleSchema,
    data: Readonly<Record<string, readonly AlgebraicValue[][]>>,
  ): Promise<TestDb>;
}

function rowBytes(
  s: ModuleSchema,
  table: string,
  row: readonly AlgebraicValue[],
): { id: number; bytes: Uint8Array } {
  const t = s.tableByName(table)!;
  return { id: t.id, bytes: encodeToBytes({ tag: 'Product', elements: t.rowType.elements }, row) };
}

export const memoryBackend: Backend = {
  name: 'memory double',
  async open(s, data) {
    const store = new MemoryStoreDouble(s);
    store.beginCall();
    for (const [table, rows] of Object.entries(data))
      for (const row of rows)
        store.insert(rowBytes(s, table, row).id, rowBytes(s, table, row).bytes);
    store.commitCall();
    const commits: TestDb['commits'] = [];
    const handle = {
      schema: s,
      read: <R>(fn: (tx: MemoryStoreDouble) => R): R => fn(store),
      readAsync: <R>(fn: (tx: MemoryStoreDouble) => Promise<R>): Promise<R> => fn(store),
      transact: async <R>(label: string, _sender: Identity, fn: (tx: BatchTx) => R) => {
        store.beginCall();
        try {
          const result = fn(store);
          const changes = store.commitCall();
          commits.push({ label, changes });
          return { result, changes };
        } catch (err) {
          store.rollbackCall();
          throw err;
        }
      },
    };
    return { handle: handle as unknown as DatabaseHandle, commits };
  },
};

let lmdbDir: string | undefined;
let lmdbCount = 0;
const openStores: { close(): Promise<void> }[] = [];

export const lmdbBackend: Backend = {
  name: 'lmdb store',
  async open(s, data) {
    if (lmdbDir === undefined) {
      lmdbDir = tempDir('wasmbase-sql-');
      afterAll(async () => {
        for (const st of openStores.splice(0)) await st.close();
      });
    }
    const store = openDatabaseStore(path.join(lmdbDir, `db${lmdbCount++}`), s);
    openStores.push(store);
    const tx = store.beginBatch();
    tx.beginCall();
    for (const [table, rows] of Object.entries(data))
      for (const row of rows) tx.insert(rowBytes(s, table, row).id, rowBytes(s, table, row).bytes);
    tx.commitCall();
    await store.commit(tx.finish()).durable;
    const commits: TestDb['commits'] = [];
    const handle = {
      schema: s,
      read: <R>(fn: (tx: unknown) => R): R => {
        const r = store.read();
        try {
          return fn(r);
        } finally {
          r.close();
        }
      },
      readAsync: async <R>(fn: (tx: unknown) => Promise<R>): Promise<R> => {
        const r = store.read();
        try {
          return await fn(r);
        } finally {
          r.close();
        }
      },
      transact: async <R>(label: string, _sender: Identity, fn: (tx: BatchTx) => R) => {
        const batch = store.beginBatch();
        batch.beginCall();
        let result: R;
        let changes: CallChanges;
        try {
          result = fn(batch);
          changes = batch.commitCall();
        } catch (err) {
          batch.rollbackCall();
          batch.abandon();
          throw err;
        }
        await store.commit(batch.finish()).durable;
        commits.push({ label, changes });
        return { result, changes };
      },
    };
    return { handle: handle as unknown as DatabaseHandle, commits };
  },
};

export const BACKENDS: readonly Backend[] = [memoryBackend, lmdbBackend];

/** Runs SQL as the owner (or not) and returns the JSON body the route would send. */
export async function sqlJson(
  db: TestDb,
  sql: string,
  opts: { isOwner?: boolean; rowLimit?: number } = {},
): Promise<{ schema: unknown; rows: unknown[]; stats: unknown }[]> {
  const results = await runSql(
    db.handle,
    sql,
    { identity: OWNER, isOwner: opts.isOwner ?? true },
    { rowLimit: opts.rowLimit ?? 1000 },
  );
  return sqlResultsToJson(results) as { schema: unknown; rows: unknown[]; stats: unknown }[];
}

/** The rows of the only (or last) statement. */
export async function rowsOf(
  db: TestDb,
  sql: string,
  opts: { isOwner?: boolean; rowLimit?: number } = {},
): Promise<unknown[]> {
  const out = await sqlJson(db, sql, opts);
  return out[out.length - 1]!.rows;
}

/** The error a statement raises: code, message and details. */
export async function errorOf(
  db: TestDb,
  sql: string,
  opts: { isOwner?: boolean; rowLimit?: number } = {},
): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await sqlJson(db, sql, opts);
  } catch (err) {
    const e = err as { code: string; message: string; details: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error(`no error from: ${sql}`);
}
