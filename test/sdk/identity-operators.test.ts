import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../runtime/host/index.js';
import {
  ConnectionId,
  decodeFromBytes,
  encodeToBytes,
  Identity,
  type AlgebraicValue,
  type ProductType,
} from '../../runtime/protocol/index.js';
import { testEngine } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';

const alice = Identity.random();
const bob = Identity.random();
const conn1 = ConnectionId.fromHex('01'.repeat(16));
const conn2 = ConnectionId.fromHex('02'.repeat(16));

async function call(
  db: DatabaseHandle,
  reducer: string,
  sender: Identity,
  connectionId: ConnectionId,
  values: AlgebraicValue[],
): Promise<string> {
  const params: ProductType = db.schema.reducerByName(reducer)!.params;
  const args = encodeToBytes({ tag: 'Product', elements: params.elements }, values);
  const o = await db.call({ reducer, args, sender, connectionId });
  return o.status === 'committed' ? 'ok' : o.error.message;
}

function noteText(db: DatabaseHandle): string {
  const t = db.schema.tableByName('note')!;
  const row = db.read(tx => tx.scan(t.id)[0]!);
  const values = decodeFromBytes({ tag: 'Product', elements: t.rowType.elements }, row);
  return (values as AlgebraicValue[])[3] as string;
}

const { engine } = await testEngine();

describe('Identity and ConnectionId == / != in a module (fixtures/identity_ops)', () => {
  it('compares by value: only the owner edits, and the same connection is recognised', async () => {
    await engine.publish({
      moduleBytes: moduleBytes('fixtures/identity_ops'),
      owner: alice,
      nameOrIdentity: 'identity-ops',
      clear: false,
    });
    const db = engine.resolve('identity-ops')!;
    expect(await call(db, 'create_note', alice, conn1, [7, 'first'])).toBe('ok');
    expect(await call(db, 'edit_note', bob, conn1, [7, 'hijack'])).toContain('not your note');
    expect(noteText(db)).toBe('first');
    // A fresh Identity object with alice's bytes: reference equality would say "not yours".
    const aliceAgain = Identity.fromHex(alice.toHex());
    expect(await call(db, 'edit_note', aliceAgain, conn1, [7, 'second'])).toBe('ok');
    expect(noteText(db)).toBe('second');
    expect(await call(db, 'edit_note', alice, conn2, [7, 'third'])).toBe('ok');
    expect(noteText(db)).toBe('third (from another connection)');
  });
});
