/**
 * Shared fixtures of the subscription tests: a schema, a real LMDB store per test, and helpers
 * to run a batch of calls through it (one BatchTx, one commit) and read the state after it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type AlgebraicValue,
  type ModuleSchema,
} from '../../runtime/protocol/index.js';
import {
  openDatabaseStore,
  type BatchTx,
  type CallChanges,
  type DatabaseStore,
  type ReadTx,
} from '../../runtime/store/index.js';
import { buildSchema, T } from '../helpers/schemas.js';

export const schema = buildSchema([
  {
    name: 'person',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'name', type: T.string, unique: true },
      { name: 'age', type: T.u8, index: true },
      { name: 'city', type: T.string },
      { name: 'nick', type: T.option(T.string) },
      { name: 'score', type: T.f64 },
    ],
  },
  {
    name: 'pet',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'owner', type: T.u32, index: true },
      { name: 'kind', type: T.string },
      { name: 'weight', type: T.f64 },
      { name: 'vet', type: T.option(T.u32), index: true },
    ],
  },
  {
    name: 'vet',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'city', type: T.string, index: true },
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
      { name: 'owner', type: T.u32, index: true },
    ],
  },
]);

export const NONE: AlgebraicValue = { tag: 1, value: [] };
export const some = (v: AlgebraicValue): AlgebraicValue => ({ tag: 0, value: v });

export function rowType(s: ModuleSchema, table: string): AlgebraicType {
  return { tag: 'Product', elements: s.tableByName(table)!.rowType.elements };
}

export function encodeRow(
  s: ModuleSchema,
  table: string,
  values: readonly AlgebraicValue[],
): Uint8Array {
  return encodeToBytes(rowType(s, table), values);
}

export function decodeRow(s: ModuleSchema, table: string, raw: Uint8Array): AlgebraicValue[] {
  return decodeFromBytes(rowType(s, table), raw) as AlgebraicValue[];
}

/** Rows as sortable JSON-ish strings (bigints written as text), for comparing multisets. */
export function show(s: ModuleSchema, table: string, rows: readonly Uint8Array[]): string[] {
  return rows
    .map(r =>
      JSON.stringify(decodeRow(s, table, r), (_, v: unknown) =>
        typeof v === 'bigint' ? `${v}n` : v,
      ),
    )
    .sort();
}

/** One write of a call, by table name. */
export type Write =
  | { readonly op: 'insert'; readonly table: string; readonly row: readonly AlgebraicValue[] }
  | { readonly op: 'update'; readonly table: string; readonly row: readonly AlgebraicValue[] }
  | { readonly op: 'delete'; readonly table: string; readonly row: readonly AlgebraicValue[] };

export function applyWrite(tx: BatchTx, s: ModuleSchema, w: Write): void {
  const t = s.tableByName(w.table)!;
  const raw = encodeRow(s, w.table, w.row);
  if (w.op === 'insert') tx.insert(t.id, raw);
  else if (w.op === 'update') tx.update(t.id, raw);
  else tx.deleteRow(t.id, raw);
}

/**
 * Stores live in a temporary directory, closed and removed when the test file ends (the hook is
 * registered when a test file imports this module). The directory is in memory (/dev/shm) where
 * there is one: these tests commit thousands of small batches and test the engine, not the
 * disk, so they need not wait for fsync.
 */
const root = mkdtempSync(
  path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wasmbase-subscribe-'),
);
let count = 0;
const open: DatabaseStore[] = [];
afterAll(async () => {
  for (const st of open.splice(0)) await st.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh store (see above). */
export function newStore(s: ModuleSchema = schema): DatabaseStore {
  const store = openDatabaseStore(path.join(root, `db${++count}`), s);
  open.push(store);
  return store;
}

/**
 * Runs `calls` as one batch (each call's writes kept together; a call that throws is rolled back
 * and left out), commits it and returns the committed calls' change sets and a snapshot after.
 */
export function runBatch(
  store: DatabaseStore,
  calls: readonly (readonly Write[])[],
): { calls: CallChanges[]; after: ReadTx } {
  const tx = store.beginBatch();
  const out: CallChanges[] = [];
  for (const writes of calls) {
    tx.beginCall();
    try {
      for (const w of writes) applyWrite(tx, store.schema, w);
      out.push(tx.commitCall());
    } catch {
      tx.rollbackCall();
    }
  }
  store.commit(tx.finish());
  return { calls: out, after: store.read() };
}

/** Inserts rows as one committed call (set-up data). */
export function seed(
  store: DatabaseStore,
  data: Readonly<Record<string, readonly (readonly AlgebraicValue[])[]>>,
): void {
  const writes: Write[] = [];
  for (const [table, rows] of Object.entries(data))
    for (const row of rows) writes.push({ op: 'insert', table, row });
  runBatch(store, [writes]).after.close();
}
