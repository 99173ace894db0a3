import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BsatnWriter,
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import { openDatabaseStore } from '../../runtime/store/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { tempDir } from '../helpers/temp-dir.js';

const schema = buildSchema([
  {
    name: 'accounts',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'balance', type: T.i64 },
    ],
  },
  {
    name: 'users',
    columns: [
      { name: 'id', type: T.u64, pk: true, autoInc: true },
      { name: 'email', type: T.string, unique: true },
      { name: 'age', type: T.u32, index: true },
    ],
  },
  { name: 'notes', columns: [{ name: 'text', type: T.string }] },
]);
const [accounts, users, notes] = schema.tables;
const rowType = (t: typeof accounts): AlgebraicType => ({
  tag: 'Product',
  elements: t!.rowType.elements,
});
const row = (t: typeof accounts, v: AlgebraicValue[]) => encodeToBytes(rowType(t), v);
const u32 = (n: number) => encodeToBytes({ tag: 'U32' }, n);
const str = (s: string) => encodeToBytes({ tag: 'String' }, s);
const decode = (t: typeof accounts, bytes: Uint8Array) => decodeFromBytes(rowType(t), bytes);
const ids = {
  accountsPk: accounts!.primaryIndex!.id,
  usersEmail: users!.indexes[1]!.id,
  usersAge: users!.indexes[2]!.id,
};

describe('database store', () => {
  const dir = tempDir();

  it('inserts, finds, updates and deletes rows through a batch, and commits them', async () => {
    const store = openDatabaseStore(path.join(dir, 'crud'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    tx.insert(accounts!.id, row(accounts, [1, 100n]));
    tx.insert(accounts!.id, row(accounts, [2, 50n]));
    expect(decode(accounts, tx.findUnique(ids.accountsPk, u32(1))!)).toEqual([1, 100n]);
    tx.update(accounts!.id, row(accounts, [1, 90n]));
    expect(tx.deleteRow(accounts!.id, row(accounts, [2, 50n]))).toBe(true);
    const changes = tx.commitCall();
    expect(changes).toHaveLength(1);
    expect(changes[0]!.inserts.map(r => decode(accounts, r))).toEqual([[1, 90n]]);
    expect(changes[0]!.deletes).toHaveLength(0);
    const { durable } = store.commit(tx.finish());
    await durable;
    const read = store.read();
    expect(read.count(accounts!.id)).toBe(1);
    expect(read.scan(accounts!.id).map(r => decode(accounts, r))).toEqual([[1, 90n]]);
    read.close();
    await store.close();
  });

  it('drops only the rolled-back call of a batch', async () => {
    const store = openDatabaseStore(path.join(dir, 'rollback'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    tx.insert(accounts!.id, row(accounts, [1, 1n]));
    tx.commitCall();
    tx.beginCall();
    tx.insert(accounts!.id, row(accounts, [2, 2n]));
    tx.update(accounts!.id, row(accounts, [1, 999n]));
    tx.rollbackCall();
    tx.beginCall();
    tx.insert(accounts!.id, row(accounts, [3, 3n]));
    tx.commitCall();
    await store.commit(tx.finish()).durable;
    const read = store.read();
    expect(read.scan(accounts!.id).map(r => decode(accounts, r))).toEqual([
      [1, 1n],
      [3, 3n],
    ]);
    expect(read.count(accounts!.id)).toBe(2);
    read.close();
    await store.close();
  });

  it('enforces unique columns and primary keys with a message naming them', async () => {
    const store = openDatabaseStore(path.join(dir, 'unique'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    tx.insert(users!.id, row(users, [0n, 'a@x', 30]));
    expect(() => tx.insert(users!.id, row(users, [0n, 'a@x', 31]))).toThrow(
      /unique column email of table users/,
    );
    tx.insert(accounts!.id, row(accounts, [7, 0n]));
    expect(() => tx.insert(accounts!.id, row(accounts, [7, 1n]))).toThrow(
      /duplicate primary key id in table accounts/,
    );
    tx.commitCall();
    tx.abandon();
    await store.close();
  });

  it('hands out auto-increment values that never repeat, even across a reopen', async () => {
    const where = path.join(dir, 'autoinc');
    let store = openDatabaseStore(where, schema);
    let tx = store.beginBatch();
    tx.beginCall();
    const a = decode(users, tx.insert(users!.id, row(users, [0n, 'a', 1]))) as AlgebraicValue[];
    const b = decode(users, tx.insert(users!.id, row(users, [0n, 'b', 2]))) as AlgebraicValue[];
    tx.commitCall();
    tx.beginCall();
    tx.insert(users!.id, row(users, [0n, 'c', 3]));
    tx.rollbackCall();
    await store.commit(tx.finish()).durable;
    await store.close();
    expect([a[0], b[0]]).toEqual([1n, 2n]);
    store = openDatabaseStore(where, schema);
    tx = store.beginBatch();
    tx.beginCall();
    const d = decode(users, tx.insert(users!.id, row(users, [0n, 'd', 4]))) as AlgebraicValue[];
    tx.commitCall();
    tx.abandon();
    expect(d[0]).toBe(4n);
    await store.close();
  });

  it('scans indexes by point and range, forwards and backwards, seeing uncommitted writes', async () => {
    const store = openDatabaseStore(path.join(dir, 'ranges'), schema);
    let tx = store.beginBatch();
    tx.beginCall();
    for (const [i, age] of [
      [1, 30],
      [2, 20],
      [3, 30],
      [4, 40],
    ] as const)
      tx.insert(users!.id, row(users, [BigInt(i), `u${i}`, age]));
    tx.commitCall();
    await store.commit(tx.finish()).durable;
    tx = store.beginBatch();
    tx.beginCall();
    tx.insert(users!.id, row(users, [5n, 'u5', 25]));
    const ages = (rows: Uint8Array[]) => rows.map(r => (decode(users, r) as AlgebraicValue[])[2]);
    expect(ages(tx.scanIndexPoint(ids.usersAge, u32(30)))).toEqual([30, 30]);
    const range = (
      start: 'included' | 'excluded',
      lo: number,
      end: 'included' | 'excluded',
      hi: number,
    ) => ({
      prefix: new Uint8Array(0),
      prefixElems: 0,
      start: { kind: start, value: u32(lo) },
      end: { kind: end, value: u32(hi) },
    });
    expect(ages(tx.scanIndexRange(ids.usersAge, range('included', 20, 'included', 30)))).toEqual([
      20, 25, 30, 30,
    ]);
    expect(ages(tx.scanIndexRange(ids.usersAge, range('excluded', 20, 'excluded', 40)))).toEqual([
      25, 30, 30,
    ]);
    expect(
      ages(tx.scanIndexRange(ids.usersAge, range('included', 20, 'included', 40), true)),
    ).toEqual([40, 30, 30, 25, 20]);
    expect(
      ages(
        tx.scanIndexRange(ids.usersAge, {
          prefix: new Uint8Array(0),
          prefixElems: 0,
          start: { kind: 'unbounded' },
          end: { kind: 'unbounded' },
        }),
      ),
    ).toEqual([20, 25, 30, 30, 40]);
    expect(decode(users, tx.findUnique(ids.usersEmail, str('u3'))!)).toEqual([3n, 'u3', 30]);
    expect(tx.deleteIndexPoint(ids.usersAge, u32(30))).toBe(2);
    expect(tx.count(users!.id)).toBe(3);
    tx.commitCall();
    tx.abandon();
    await store.close();
  });

  it('keeps rows of tables without a primary key as a set, deletable by value', async () => {
    const store = openDatabaseStore(path.join(dir, 'keyless'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    tx.insert(notes!.id, row(notes, ['b']));
    tx.insert(notes!.id, row(notes, ['a']));
    tx.insert(notes!.id, row(notes, ['b']));
    expect(tx.scan(notes!.id).map(r => decode(notes, r))).toEqual([['b'], ['a']]);
    expect(tx.deleteRow(notes!.id, row(notes, ['b']))).toBe(true);
    expect(tx.deleteRow(notes!.id, row(notes, ['zzz']))).toBe(false);
    expect(tx.count(notes!.id)).toBe(1);
    tx.commitCall();
    tx.abandon();
    await store.close();
  });

  it('rejects bytes that are not a row of the table', async () => {
    const store = openDatabaseStore(path.join(dir, 'invalid'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    expect(() => tx.insert(accounts!.id, new Uint8Array(3))).toThrow(/must be 12 bytes/);
    const w = new BsatnWriter();
    w.writeU64(1n);
    w.writeU32(100);
    expect(() => tx.insert(users!.id, w.toBytes())).toThrow(/not a row of users/);
    tx.rollbackCall();
    tx.abandon();
    await store.close();
  });

  it('clears every row and restarts counters', async () => {
    const store = openDatabaseStore(path.join(dir, 'clear'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    tx.insert(accounts!.id, row(accounts, [1, 1n]));
    tx.commitCall();
    await store.commit(tx.finish()).durable;
    await store.clear();
    const read = store.read();
    expect(read.count(accounts!.id)).toBe(0);
    expect(read.scan(accounts!.id)).toEqual([]);
    read.close();
    await store.close();
  });
});
