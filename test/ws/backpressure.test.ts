/**
 * A subscriber that never reads is disconnected once its unread bytes pass
 * --ws-max-backpressure-bytes, with a close reason, while a subscriber that reads keeps getting
 * every update.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeToBytes, type AlgebraicType } from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { openWs, type TestWsClient } from '../helpers/ws-client.js';

const LIMIT = 64 * 1024;
const server = await testServer({ wsMaxBackpressureBytes: LIMIT });
const api = client(server);
const owner = await api.newIdentity();
await api.json('POST', '/v1/database/backpressure', {
  token: owner.token,
  body: moduleBytes('fixtures/ws'),
});

const u32: AlgebraicType = { tag: 'U32' };
const ADD_MANY: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'n', type: u32 },
    { name: 'team', type: u32 },
    { name: 'len', type: u32 },
  ],
};

async function subscriber(): Promise<TestWsClient> {
  const c = await openWs(server.url, 'backpressure', { token: owner.token });
  await c.next();
  c.send({
    tag: 'SubscribeSingle',
    query: 'SELECT * FROM player WHERE team = 1',
    requestId: 1,
    queryId: 1,
  });
  expect((await c.next()).tag).toBe('SubscribeApplied');
  return c;
}

describe('backpressure', () => {
  it('disconnects a client that never reads, without holding up the others', async () => {
    const slow = await subscriber();
    const fast = await subscriber();
    const writer = await openWs(server.url, 'backpressure', { token: owner.token });
    await writer.next();
    // The slow client stops reading: the kernel buffers fill, then the server's.
    (slow.socket as unknown as { _socket: Socket })._socket.pause();

    // The writer waits for the reading client before each next transaction, so that client is
    // never behind; the other one falls further behind with every transaction.
    const TX = 120; // 120 × 200 rows × ~1 KiB ≈ 24 MiB, far beyond socket buffers and the limit
    let received = 0;
    for (let i = 0; i < TX; i++) {
      writer.send({
        tag: 'CallReducer',
        reducer: 'add_many',
        args: { format: 'bsatn', bytes: encodeToBytes(ADD_MANY, [200, 1, 1000]) },
        requestId: i,
        flags: 1,
      });
      const m = await fast.next(20_000);
      expect(m.tag).toBe('TransactionUpdate');
      received++;
    }
    expect(received).toBe(TX);

    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('--ws-max-backpressure-bytes');
    // It did get some updates before it was cut off, never all.
    expect(slow.frames.length).toBeLessThan(TX + 2);
    fast.close();
    writer.close();
  }, 60_000);
});
