import { describe, expect, it } from 'vitest';
import {
  decodeFromBytes,
  encodeToBytes,
  Identity,
  type AlgebraicType,
} from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { testEngine } from '../helpers/engine.js';

const owner = Identity.random();
const accountType: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'id', type: { tag: 'U32' } },
    { name: 'balance', type: { tag: 'I64' } },
  ],
};
const transferArgs = (from: number, to: number, amount: bigint) =>
  encodeToBytes(
    {
      tag: 'Product',
      elements: [
        { name: 'from', type: { tag: 'U32' } },
        { name: 'to', type: { tag: 'U32' } },
        { name: 'amount', type: { tag: 'I64' } },
      ],
    },
    [from, to, amount],
  );
const seedArgs = (n: number, initial: bigint) =>
  encodeToBytes(
    {
      tag: 'Product',
      elements: [
        { name: 'n', type: { tag: 'U32' } },
        { name: 'i', type: { tag: 'I64' } },
      ],
    },
    [n, initial],
  );

const { engine } = await testEngine();

describe('engine with the bank module', () => {
  it('publishes, seeds, transfers and reads back durable rows', async () => {
    const published = await engine.publish({
      moduleBytes: moduleBytes('bank'),
      owner,
      nameOrIdentity: 'bank',
      clear: false,
    });
    expect(published.op).toBe('created');
    expect(published.domain).toBe('bank');
    const db = engine.resolve('bank')!;
    expect(db.info.owner.equals(owner)).toBe(true);
    const seeded = await db.call({
      reducer: 'seed',
      args: seedArgs(10, 100n),
      sender: owner,
      connectionId: undefined,
    });
    expect(seeded.status === 'failed' ? seeded.error.message : 'committed').toBe('committed');
    const results = await Promise.all([
      db.call({
        reducer: 'transfer',
        args: transferArgs(1, 2, 30n),
        sender: owner,
        connectionId: undefined,
      }),
      db.call({
        reducer: 'transfer',
        args: transferArgs(1, 1, 5n),
        sender: owner,
        connectionId: undefined,
      }),
      db.call({
        reducer: 'transfer',
        args: transferArgs(3, 4, 500n),
        sender: owner,
        connectionId: undefined,
      }),
      db.call({
        reducer: 'transfer',
        args: transferArgs(2, 3, 130n),
        sender: owner,
        connectionId: undefined,
      }),
    ]);
    expect(results.map(r => (r.status === 'failed' ? r.error.message : 'ok'))).toEqual([
      'ok',
      'same_account',
      'insufficient_funds',
      'ok',
    ]);
    expect(results[1]!.status === 'failed' && results[1]!.error.code).toBe('REDUCER_FAILED');
    const balances = db.read(tx =>
      tx.scan(db.schema.tableByName('accounts')!.id).map(r => decodeFromBytes(accountType, r)),
    );
    expect(balances.slice(0, 5)).toEqual([
      [0, 100n],
      [1, 70n],
      [2, 0n],
      [3, 230n],
      [4, 100n],
    ]);
    expect(balances).toHaveLength(10);
  });

  it('rejects unknown reducers with a suggestion and bad argument bytes', () => {
    const db = engine.resolve('bank')!;
    expect(() =>
      db.call({
        reducer: 'transfr',
        args: new Uint8Array(0),
        sender: owner,
        connectionId: undefined,
      }),
    ).toThrow(/did you mean "transfer"/);
    expect(() =>
      db.call({
        reducer: 'transfer',
        args: new Uint8Array(3),
        sender: owner,
        connectionId: undefined,
      }),
    ).toThrow(/do not match its parameters/);
  });

  it('republishing the same module keeps the data', async () => {
    const again = await engine.publish({
      moduleBytes: moduleBytes('bank'),
      owner,
      nameOrIdentity: 'bank',
      clear: false,
    });
    expect(again.op).toBe('updated');
    const db = engine.resolve('bank')!;
    expect(db.read(tx => tx.count(db.schema.tableByName('accounts')!.id))).toBe(10);
  });

  it('clear=true wipes the data', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('bank'),
      owner,
      nameOrIdentity: 'bank',
      clear: true,
    });
    const db = engine.resolve('bank')!;
    expect(db.read(tx => tx.count(db.schema.tableByName('accounts')!.id))).toBe(0);
  });
});
