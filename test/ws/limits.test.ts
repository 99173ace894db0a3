/** WebSocket limits: the inbound queue, idle connections, and pings keeping live ones open. */
import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeToBytes, type AlgebraicType } from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { openWs } from '../helpers/ws-client.js';

const server = await testServer({
  wsMaxQueuedMessages: 16,
  wsMaxInflightCalls: 1,
  wsIdleTimeoutSec: 8,
  sqlRowLimit: 5,
});
const api = client(server);
const owner = await api.newIdentity();
await api.json('POST', '/v1/database/limits', {
  token: owner.token,
  body: moduleBytes('fixtures/ws'),
});

const ADD_PLAYER: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'name', type: { tag: 'String' } },
    { name: 'team', type: { tag: 'U32' } },
    { name: 'score', type: { tag: 'I64' } },
  ],
};

describe('WebSocket limits', () => {
  it('disconnects a client with more than --ws-max-queued-messages waiting', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await c.next();
    for (let i = 0; i < 200; i++) {
      c.send({
        tag: 'CallReducer',
        reducer: 'add_player',
        args: { format: 'bsatn', bytes: encodeToBytes(ADD_PLAYER, [`q${i}`, 1, 0n]) },
        requestId: i,
        flags: 0,
      });
    }
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('--ws-max-queued-messages');
  });

  it('runs calls beyond --ws-max-inflight-calls in order once earlier ones finish', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await c.next();
    for (let i = 0; i < 10; i++) {
      c.send({
        tag: 'CallReducer',
        reducer: 'add_player',
        args: { format: 'bsatn', bytes: encodeToBytes(ADD_PLAYER, [`o${i}`, 2, 0n]) },
        requestId: i,
        flags: 0,
      });
    }
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await c.next();
      if (m.tag === 'TransactionUpdate') ids.push(m.reducerCall.requestId);
    }
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    c.close();
  });

  it('drops a query whose update passes --sql-row-limit with a SubscriptionError, keeping the others', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await c.next();
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 33',
      requestId: 1,
      queryId: 1,
    });
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 34',
      requestId: 2,
      queryId: 2,
    });
    expect((await c.next()).tag).toBe('SubscribeApplied');
    expect((await c.next()).tag).toBe('SubscribeApplied');
    const many = encodeToBytes(
      {
        tag: 'Product',
        elements: [
          { name: 'n', type: { tag: 'U32' } },
          { name: 'team', type: { tag: 'U32' } },
          { name: 'len', type: { tag: 'U32' } },
        ],
      },
      [6, 33, 1],
    );
    c.send({
      tag: 'CallReducer',
      reducer: 'add_many',
      args: { format: 'bsatn', bytes: many },
      requestId: 3,
      flags: 0,
    });
    const error = await c.next();
    expect(error).toMatchObject({ tag: 'SubscriptionError', requestId: undefined, queryId: 1 });
    expect(error.tag === 'SubscriptionError' && error.error).toContain('5');
    expect((await c.next()).tag).toBe('TransactionUpdate');
    // Query 1 is gone; query 2 still gets its rows.
    c.send({
      tag: 'CallReducer',
      reducer: 'add_player',
      args: { format: 'bsatn', bytes: encodeToBytes(ADD_PLAYER, ['t34', 34, 0n]) },
      requestId: 4,
      flags: 0,
    });
    const m = await c.next();
    expect(
      m.tag === 'TransactionUpdate' &&
        m.status.tag === 'Committed' &&
        m.status.update.tables.flatMap(t => t.updates.flatMap(u => u.inserts)).length,
    ).toBe(1);
    c.send({ tag: 'Unsubscribe', requestId: 5, queryId: 1 });
    expect(await c.next()).toMatchObject({ tag: 'SubscriptionError', requestId: 5 });
    c.close();
  });

  it('answers a subscription whose first rows pass --sql-row-limit with a SubscriptionError naming the limit', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await c.next();
    const many = encodeToBytes(
      {
        tag: 'Product',
        elements: [
          { name: 'n', type: { tag: 'U32' } },
          { name: 'team', type: { tag: 'U32' } },
          { name: 'len', type: { tag: 'U32' } },
        ],
      },
      [6, 35, 1],
    );
    c.send({
      tag: 'CallReducer',
      reducer: 'add_many',
      args: { format: 'bsatn', bytes: many },
      requestId: 1,
      flags: 0,
    });
    expect((await c.next()).tag).toBe('TransactionUpdate');
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 35',
      requestId: 2,
      queryId: 1,
    });
    const error = await c.next();
    expect(error).toMatchObject({ tag: 'SubscriptionError', requestId: 2, queryId: 1 });
    expect(error.tag === 'SubscriptionError' && error.error).toContain('more than 5 rows');
    c.close();
  });

  it('closes a connection that answers no pings after --ws-idle-timeout-sec, and keeps one that does', async () => {
    const live = await openWs(server.url, 'limits', { token: owner.token });
    await live.next();
    // A raw client that completes the handshake and then never answers anything.
    const { port } = new URL(server.url);
    const silent = tcpConnect(Number(port), '127.0.0.1');
    let response = '';
    silent.on('data', d => (response += d.toString('latin1')));
    const silentClosed = new Promise<number>(resolve => {
      const started = Date.now();
      silent.on('close', () => resolve(Date.now() - started));
    });
    silent.write(
      'GET /v1/database/limits/subscribe?compression=None HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v1.bsatn.spacetimedb\r\nAuthorization: Bearer ${owner.token}\r\n\r\n`,
    );
    const after = await Promise.race([
      silentClosed,
      new Promise<number>(resolve => setTimeout(() => resolve(-1), 30_000)),
    ]);
    expect(response).toContain('101');
    expect(after).toBeGreaterThan(4_000);
    expect(after).toBeLessThan(30_000);
    // The ws client answers pings: still open, and still served.
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    live.send({
      tag: 'OneOffQuery',
      messageId: new Uint8Array([1]),
      queryString: 'SELECT COUNT(*) AS n FROM player',
    });
    expect((await live.next()).tag).toBe('OneOffQueryResponse');
    live.close();
  }, 45_000);
});
