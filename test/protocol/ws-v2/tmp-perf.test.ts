import { it } from 'vitest';
import { encodeV2ServerMessage, encodeServerMessageBsatn, type V2ServerMessage, type ServerMessage } from '../../../runtime/protocol/index.js';
it('perf', () => {
  const row = () => Uint8Array.from({ length: 12 }, (_, i) => i);
  const N = 200_000;
  for (const shared of [true, false]) {
    const ins = [row()], del = [row()];
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      const m: V2ServerMessage = { tag: 'TransactionUpdate', querySets: [{ querySetId: 1, tables: [{ tableName: 'accounts', rows: [{ tag: 'PersistentTable', inserts: shared ? ins : [row()], deletes: shared ? del : [row()] }] }] }] };
      encodeV2ServerMessage(m);
    }
    const v2 = performance.now() - t;
    const qu = { deletes: del, inserts: ins };
    t = performance.now();
    for (let i = 0; i < N; i++) {
      const m: ServerMessage = { tag: 'TransactionUpdateLight', requestId: 1, update: { tables: [{ tableId: 0, tableName: 'accounts', numRows: 1n, updates: [shared ? qu : { deletes: [row()], inserts: [row()] }] }] } };
      encodeServerMessageBsatn(m);
    }
    const v1 = performance.now() - t;
    console.log(`shared=${shared} v2 ${(N / v2 * 1000).toFixed(0)}/s  v1 ${(N / v1 * 1000).toFixed(0)}/s`);
  }
}, 120_000);
