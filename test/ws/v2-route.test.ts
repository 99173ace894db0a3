/**
 * The v2 and v3 protocols end to end on a real server: negotiation, InitialConnection first,
 * reducer results (Ok with the caller's rows, OkEmpty, Err, InternalError), query sets with
 * their rows and updates, unsubscribe with and without dropped rows, one-off queries,
 * procedures, confirmed reads, and v3 batching in both directions.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  BsatnReader,
  encodeToBytes,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type V2ClientMessage,
} from '../../runtime/protocol/index.js';
import { ADD_PLAYER_ARGS, player, serveWsFixture } from '../helpers/ws-fixture.js';
import { openV2, type TestV2Client, type V2Subprotocol } from '../helpers/ws-v2-client.js';

const { server, owner } = await serveWsFixture('wsv2');
const names = (rows: readonly Uint8Array[]) => rows.map(r => player(r)[2]).sort();

let nextId = 1;
type CallMessage = Extract<V2ClientMessage, { tag: 'CallReducer' }>;
const callMessage = (name: string, team: number, score = 1n): CallMessage => ({
  tag: 'CallReducer',
  requestId: nextId++,
  flags: 0,
  reducer: 'add_player',
  args: encodeToBytes(ADD_PLAYER_ARGS, [name, team, score]),
});

async function connect(protocol: V2Subprotocol = WS_PROTOCOL_V2_BSATN, query?: string) {
  const options =
    query === undefined
      ? { protocol, token: owner.token }
      : { protocol, token: owner.token, query };
  const c = await openV2(server.url, 'wsv2', options);
  const hello = await c.next('InitialConnection');
  expect(hello.identity.toHex()).toBe(owner.identity);
  expect(hello.token).toBe(owner.token);
  return c;
}

async function subscribe(c: TestV2Client, querySetId: number, sql: string) {
  const requestId = nextId++;
  c.send({ tag: 'Subscribe', requestId, querySetId, queryStrings: [sql] });
  const applied = await c.next('SubscribeApplied');
  expect(applied).toMatchObject({ requestId, querySetId });
  return applied;
}

function offer(protocols: string[]): Promise<string> {
  const url = `${server.url.replace(/^http/, 'ws')}/v1/database/wsv2/subscribe`;
  const socket = new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve(socket.protocol);
      socket.close();
    });
    socket.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    socket.once('error', reject);
  });
}

describe('negotiation', () => {
  it('prefers v3 > v2 > v1.bsatn > v1.json, whatever order the client offers them in', async () => {
    expect(await offer([WS_PROTOCOL_V1_BSATN, WS_PROTOCOL_V2_BSATN, WS_PROTOCOL_V3_BSATN])).toBe(
      WS_PROTOCOL_V3_BSATN,
    );
    expect(await offer([WS_PROTOCOL_V2_BSATN, 'v1.json.spacetimedb'])).toBe(WS_PROTOCOL_V2_BSATN);
    expect(await offer(['v1.json.spacetimedb', WS_PROTOCOL_V1_BSATN])).toBe(WS_PROTOCOL_V1_BSATN);
    expect(await offer(['v1.json.spacetimedb'])).toBe('v1.json.spacetimedb');
    expect(await offer(['v4.bsatn.spacetimedb'])).toBe('HTTP 400');
  });
});

describe.each([WS_PROTOCOL_V2_BSATN, WS_PROTOCOL_V3_BSATN] as const)('%s', protocol => {
  const team = protocol === WS_PROTOCOL_V2_BSATN ? 200 : 300;

  it("answers a call with ReducerResult: OkEmpty without rows, Ok with the caller's rows", async () => {
    const c = await connect(protocol);
    const lone = callMessage('solo', team + 9);
    c.send(lone);
    const empty = await c.next('ReducerResult');
    expect(empty).toMatchObject({ requestId: lone.requestId, result: { tag: 'OkEmpty' } });
    await subscribe(c, 1, `SELECT * FROM player WHERE team = ${team}`);
    const mine = callMessage('ann', team);
    c.send(mine);
    const result = await c.next('ReducerResult');
    expect(result.requestId).toBe(mine.requestId);
    if (result.result.tag !== 'Ok') throw new Error(`expected Ok, got ${result.result.tag}`);
    const [set] = result.result.transactionUpdate.querySets;
    expect(set?.querySetId).toBe(1);
    expect(set?.tables[0]?.tableName).toBe('player');
    const rows = set?.tables[0]?.rows[0];
    expect(rows?.tag === 'PersistentTable' && names(rows.inserts)).toEqual(['ann']);
    // The caller hears of its call once: no TransactionUpdate follows.
    c.send({ tag: 'OneOffQuery', requestId: 77, queryString: 'SELECT * FROM player WHERE id = 0' });
    expect((await c.next()).tag).toBe('OneOffQueryResult');
    c.close();
  });

  it('sends other clients a TransactionUpdate per query set, without reducer details', async () => {
    const watcher = await connect(protocol);
    await subscribe(watcher, 5, `SELECT * FROM player WHERE team = ${team + 1}`);
    await subscribe(watcher, 6, `SELECT * FROM player WHERE team = ${team + 1} AND score > 5`);
    const caller = await connect(protocol);
    caller.send(callMessage('bo', team + 1, 9n));
    expect((await caller.next('ReducerResult')).result.tag).toBe('OkEmpty');
    const update = await watcher.next('TransactionUpdate');
    expect(update.querySets.map(s => s.querySetId).sort()).toEqual([5, 6]);
    for (const s of update.querySets) {
      const rows = s.tables[0]?.rows[0];
      expect(rows?.tag === 'PersistentTable' && names(rows.inserts)).toEqual(['bo']);
    }
    watcher.close();
    caller.close();
  });

  it('reports a failing reducer as Err with the message, and bad calls as InternalError', async () => {
    const c = await connect(protocol);
    const failArgs = encodeToBytes(
      { tag: 'Product', elements: [{ name: 'message', type: { tag: 'String' } }] },
      ['the dice said no'],
    );
    c.send({ tag: 'CallReducer', requestId: 90, flags: 0, reducer: 'fail', args: failArgs });
    const failed = await c.next('ReducerResult');
    if (failed.result.tag !== 'Err') throw new Error(`expected Err, got ${failed.result.tag}`);
    expect(new BsatnReader(failed.result.error).readString()).toBe('the dice said no');
    c.send({ ...callMessage('x', 1), reducer: 'no_such_reducer' });
    const missing = await c.next('ReducerResult');
    expect(missing.result).toMatchObject({ tag: 'InternalError' });
    expect(missing.result.tag === 'InternalError' && missing.result.message).toMatch(
      /REDUCER_NOT_FOUND: no reducer "no_such_reducer"/,
    );
    c.close();
  });

  it('unsubscribes with the dropped rows only when asked', async () => {
    const c = await connect(protocol);
    c.send(callMessage('cy', team + 2));
    await c.next('ReducerResult');
    await subscribe(c, 8, `SELECT * FROM player WHERE team = ${team + 2}`);
    await subscribe(c, 9, `SELECT * FROM player WHERE team = ${team + 2}`);
    c.send({ tag: 'Unsubscribe', requestId: 30, querySetId: 8, flags: 'SendDroppedRows' });
    const dropped = await c.next('UnsubscribeApplied');
    expect(dropped.rows && names(dropped.rows.tables[0]!.rows)).toEqual(['cy']);
    c.send({ tag: 'Unsubscribe', requestId: 31, querySetId: 9, flags: 'Default' });
    expect((await c.next('UnsubscribeApplied')).rows).toBeUndefined();
    c.send({ tag: 'Unsubscribe', requestId: 32, querySetId: 9, flags: 'Default' });
    expect(await c.next('SubscriptionError')).toMatchObject({ requestId: 32, querySetId: 9 });
    c.close();
  });

  it('answers one-off queries, bad subscriptions and procedure calls', async () => {
    const c = await connect(protocol);
    c.send({ tag: 'OneOffQuery', requestId: 40, queryString: 'SELECT * FROM nowhere' });
    const bad = await c.next('OneOffQueryResult');
    expect(bad.result.tag === 'Err' && bad.result.message).toMatch(/nowhere/);
    c.send({ tag: 'Subscribe', requestId: 41, querySetId: 3, queryStrings: ['SELEC'] });
    expect(await c.next('SubscriptionError')).toMatchObject({ requestId: 41, querySetId: 3 });
    c.send({
      tag: 'CallProcedure',
      requestId: 42,
      flags: 0,
      procedure: 'p',
      args: new Uint8Array(),
    });
    const proc = await c.next('ProcedureResult');
    expect(proc).toMatchObject({ requestId: 42, status: { tag: 'InternalError' } });
    c.close();
  });

  it('sends row updates before the fsync only with confirmed=false', async () => {
    const c = await connect(protocol, 'compression=None&confirmed=false');
    await subscribe(c, 1, `SELECT * FROM player WHERE team = ${team + 3}`);
    const other = await connect(protocol);
    other.send(callMessage('dee', team + 3));
    expect((await c.next('TransactionUpdate')).querySets).toHaveLength(1);
    c.close();
    other.close();
  });
});

describe('v3 batching', () => {
  it('takes many messages in one frame and answers them in order, coalesced', async () => {
    const c = await connect(WS_PROTOCOL_V3_BSATN);
    const calls = Array.from({ length: 50 }, (_, i) => callMessage(`b${i}`, 400 + (i % 3)));
    const framesBefore = c.frames.length;
    c.send(...calls);
    const ids: number[] = [];
    for (let i = 0; i < calls.length; i++) ids.push((await c.next('ReducerResult')).requestId);
    expect(ids).toEqual(calls.map(m => m.requestId));
    expect(c.frames.length - framesBefore).toBeLessThan(calls.length);
    c.close();
  });

  it('closes with 1007 on a frame whose last message is cut short', async () => {
    const c = await connect(WS_PROTOCOL_V3_BSATN);
    c.sendRaw(Uint8Array.of(2, 1, 0, 0, 0, 5, 0, 0, 0, 0x53));
    expect((await c.closed).code).toBe(1007);
  });
});
