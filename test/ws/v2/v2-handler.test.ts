/**
 * The v2 handler (v2, and v3 = the same handler with batching) below the route: fake sockets, a
 * real `Feeds`/`DatabaseFeed` over a real engine database (the ws fixture) seen through a handle
 * whose batches become durable only when the test releases them. Frames are decoded with the
 * client decoders and checked whole: the caller hears of its call once, in its `ReducerResult`
 * (with its own rows), after durability; other clients get a `TransactionUpdate` per query set,
 * before durability with `confirmed=false` and after it by default; v3 packs the messages of a
 * turn into frames of at most 512 KiB, an oversized message alone; failures and internal errors.
 */
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../runtime/protocol/index.js';
import {
  BsatnReader,
  decodeV2ServerMessage,
  decodeV3ServerPayload,
  encodeV2ClientMessage,
  encodeV3ClientPayload,
  V3_MAX_COALESCED_BYTES,
  WS_CLOSE,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type AlgebraicValue,
  type V2ClientMessage,
  type V2ServerMessage,
  type V2TransactionUpdate,
} from '../../../runtime/protocol/index.js';
import { unframeServerPayload } from '../../../runtime/ws/frame-compression.js';
import { V2Handler } from '../../../runtime/ws/v2/v2-handler.js';
import { flushed, until } from '../../helpers/wait.js';
import type { FakeSocket } from '../../helpers/ws-handler-harness.js';
import { HandlerHarness } from '../../helpers/ws-handler-harness.js';

// ---- the database and the clients (harness: test/helpers/ws-handler-harness.ts) -------------

const harness = await HandlerHarness.create('v2h');
const { gated, logger, deps, names } = harness;
const args = harness.args.bind(harness);
const settle = () => harness.settle();

type Tag = V2ServerMessage['tag'];
type Message<T extends Tag> = Extract<V2ServerMessage, { tag: T }>;

class Client {
  constructor(
    readonly handler: V2Handler,
    readonly socket: FakeSocket,
    readonly identity: Identity,
    readonly batched: boolean,
  ) {}
  /** Sends the messages: with v3 in one frame, with v2 one frame each. */
  send(...messages: V2ClientMessage[]): void {
    if (this.batched) this.handler.onFrame(encodeV3ClientPayload(messages), true);
    else for (const m of messages) this.handler.onFrame(encodeV2ClientMessage(m), true);
  }
  /** The payloads of the frames received since the last take (compression byte removed). */
  takePayloads(): Uint8Array[] {
    return this.socket.frames.splice(0).map(f => {
      if (typeof f.data === 'string' || !f.binary) throw new Error('a text frame on v2/v3');
      return unframeServerPayload(f.data);
    });
  }
  /** The messages received since the last take. */
  take(): V2ServerMessage[] {
    return this.takePayloads().flatMap(p =>
      this.batched ? decodeV3ServerPayload(p) : [decodeV2ServerMessage(p)],
    );
  }
}

async function open(query = 'compression=None', batched = false) {
  const protocol = batched ? WS_PROTOCOL_V3_BSATN : WS_PROTOCOL_V2_BSATN;
  const { handler, socket, init } = await harness.open(
    protocol,
    query,
    (socket, init) => new V2Handler(socket, deps, init, batched),
  );
  const { identity, params } = init;
  const client = new Client(handler, socket, identity, batched);
  const [hello, ...rest] = client.take();
  expect(rest).toEqual([]);
  expect(hello?.tag === 'InitialConnection' && [hello.identity.toHex(), hello.token]).toEqual([
    identity.toHex(),
    init.token,
  ]);
  expect(hello?.tag === 'InitialConnection' && hello.connectionId.toHex()).toBe(
    params.connectionId.toHex(),
  );
  return client;
}

let nextTeam = 3000;
let nextRequest = 1;

async function subscribe(c: Client, querySetId: number, sql: string): Promise<void> {
  const requestId = nextRequest++;
  c.send({ tag: 'Subscribe', requestId, querySetId, queryStrings: [sql] });
  await until(() => c.socket.frames.length > 0, 'SubscribeApplied');
  await settle();
  expect(only(c.take(), 'SubscribeApplied')).toMatchObject({ requestId, querySetId });
}

type CallMessage = Extract<V2ClientMessage, { tag: 'CallReducer' }>;
const call = (reducer: string, values: AlgebraicValue[]): CallMessage => ({
  tag: 'CallReducer',
  requestId: nextRequest++,
  flags: 0,
  reducer,
  args: args(reducer, values),
});
const addPlayer = (name: string, team: number) => call('add_player', [name, team, 1n]);

/** Sends `messages` and waits until `n` more batches are published (none durable yet). */
const callAndPublish = (c: Client, messages: V2ClientMessage[], n = 1): Promise<void> =>
  harness.callAndPublish(() => c.send(...messages), n);

function only<T extends Tag>(ms: V2ServerMessage[], tag: T): Message<T> {
  expect(ms.map(m => m.tag)).toEqual([tag]);
  return ms[0] as Message<T>;
}

/** [querySetId, table, inserted names, deleted count] of each rows entry. */
const rowsOf = (u: V2TransactionUpdate) =>
  u.querySets.flatMap(s =>
    s.tables.flatMap(t =>
      t.rows.map(r =>
        r.tag === 'PersistentTable'
          ? [s.querySetId, t.tableName, names(r.inserts), r.deletes.length]
          : [s.querySetId, t.tableName, 'events'],
      ),
    ),
  );

/** Calls of `reducer` by `who` published so far. */
const published = (who: Identity, reducer: string): number =>
  gated.published.reduce(
    (n, b) =>
      n + b.calls.filter(c => c.call.reducer === reducer && c.call.sender.equals(who)).length,
    0,
  );

// ---- the tests -------------------------------------------------------------------------------

describe('v2 handler: reducer results', () => {
  it('tells the caller once, in its ReducerResult with its rows, after durability', async () => {
    const team = nextTeam++;
    const caller = await open();
    await subscribe(caller, 1, `SELECT * FROM player WHERE team = ${team}`);
    const mine = addPlayer('ann', team);
    await callAndPublish(caller, [mine]);
    expect(caller.take()).toEqual([]);
    await settle();
    const result = only(caller.take(), 'ReducerResult');
    expect(result.requestId).toBe(mine.requestId);
    const applied = gated.published.at(-1)!.calls[0]!;
    expect(result.timestamp).toBe(applied.call.timestamp);
    expect(result.result.tag).toBe('Ok');
    if (result.result.tag !== 'Ok') return;
    expect(result.result.retValue).toEqual(new Uint8Array(0));
    expect(rowsOf(result.result.transactionUpdate)).toEqual([[1, 'player', ['ann'], 0]]);
    caller.send({
      tag: 'OneOffQuery',
      requestId: 99,
      queryString: 'SELECT * FROM team WHERE id = 0',
    });
    await settle();
    expect(only(caller.take(), 'OneOffQueryResult').requestId).toBe(99);
  });

  it('answers OkEmpty when none of the caller’s sets changed', async () => {
    const caller = await open();
    const mine = addPlayer('bo', nextTeam++);
    await callAndPublish(caller, [mine]);
    await settle();
    expect(only(caller.take(), 'ReducerResult')).toMatchObject({
      requestId: mine.requestId,
      result: { tag: 'OkEmpty' },
    });
  });

  it('reports the module’s failure as Err with its message, to the caller only', async () => {
    const watcher = await open();
    await subscribe(watcher, 1, 'SELECT * FROM player');
    const caller = await open();
    const failing = call('fail', ['no luck']);
    await callAndPublish(caller, [failing]);
    const result = only(caller.take(), 'ReducerResult');
    expect(result.requestId).toBe(failing.requestId);
    if (result.result.tag !== 'Err') throw new Error(`expected Err, got ${result.result.tag}`);
    expect(new BsatnReader(result.result.error).readString()).toBe('no luck');
    await settle();
    expect(watcher.take()).toEqual([]);
  });

  it('answers a call that fails its checks with InternalError naming the code', async () => {
    const caller = await open();
    caller.send({ ...addPlayer('x', 1), reducer: 'nope' });
    await flushed();
    const result = only(caller.take(), 'ReducerResult');
    expect(result.result.tag === 'InternalError' && result.result.message).toMatch(
      /^REDUCER_NOT_FOUND: no reducer "nope" in this database/,
    );
  });

  it('answers a request sent after a call only after the call, including its rows', async () => {
    const team = nextTeam++;
    const caller = await open('compression=None', true);
    const sql = `SELECT * FROM player WHERE team = ${team}`;
    caller.send(addPlayer('cy', team), {
      tag: 'Subscribe',
      requestId: nextRequest++,
      querySetId: 4,
      queryStrings: [sql],
    });
    await until(() => published(caller.identity, 'add_player') === 1, 'the call');
    await flushed();
    expect(caller.take()).toEqual([]);
    await settle();
    const [result, applied] = caller.take();
    expect([result?.tag, applied?.tag]).toEqual(['ReducerResult', 'SubscribeApplied']);
    expect(applied?.tag === 'SubscribeApplied' && names(applied.rows.tables[0]!.rows)).toEqual([
      'cy',
    ]);
  });
});

describe('v2 handler: other clients and confirmed reads', () => {
  it('sends others rows at once with confirmed=false, the caller’s result after', async () => {
    const team = nextTeam++;
    const watcher = await open('compression=None&confirmed=false');
    await subscribe(watcher, 5, `SELECT * FROM player WHERE team = ${team}`);
    await subscribe(watcher, 6, `SELECT * FROM player WHERE team = ${team} AND score > 0`);
    const caller = await open('compression=None&confirmed=false');
    await callAndPublish(caller, [addPlayer('dee', team)]);
    const update = only(watcher.take(), 'TransactionUpdate');
    expect(rowsOf(update)).toEqual([
      [5, 'player', ['dee'], 0],
      [6, 'player', ['dee'], 0],
    ]);
    expect(caller.take()).toEqual([]);
    await settle();
    expect(only(caller.take(), 'ReducerResult').result.tag).toBe('OkEmpty');
    expect(watcher.take()).toEqual([]);
  });

  it('holds others’ rows until durable by default', async () => {
    const team = nextTeam++;
    const watcher = await open();
    await subscribe(watcher, 1, `SELECT * FROM player WHERE team = ${team}`);
    const caller = await open();
    await callAndPublish(caller, [addPlayer('eve', team)]);
    expect(watcher.take()).toEqual([]);
    expect(caller.take()).toEqual([]);
    await settle();
    expect(rowsOf(only(watcher.take(), 'TransactionUpdate'))).toEqual([[1, 'player', ['eve'], 0]]);
    expect(only(caller.take(), 'ReducerResult').result.tag).toBe('OkEmpty');
  });

  it('sends a SubscriptionError, once durable, for a set over the row limit', async () => {
    const team = nextTeam++;
    const watcher = await open('compression=None&confirmed=false');
    await subscribe(watcher, 12, `SELECT * FROM player WHERE team = ${team}`);
    const caller = await open();
    await callAndPublish(caller, [call('add_many', [60, team, 1])]);
    expect(watcher.take()).toEqual([]);
    await settle();
    const err = only(watcher.take(), 'SubscriptionError');
    expect([err.requestId, err.querySetId]).toEqual([undefined, 12]);
    expect(err.error).toMatch(/more than 50 rows, the subscription row limit/);
  });
});

describe('v3 batching', () => {
  it('packs the results of one turn into one frame', async () => {
    const team = nextTeam++;
    const caller = await open('compression=None', true);
    await subscribe(caller, 1, `SELECT * FROM player WHERE team = ${team}`);
    const calls = Array.from({ length: 20 }, (_, i) => addPlayer(`p${i}`, team));
    caller.send(...calls);
    await until(() => published(caller.identity, 'add_player') === 20, 'twenty calls');
    await flushed();
    expect(caller.socket.frames).toEqual([]);
    await settle();
    const payloads = caller.takePayloads();
    expect(payloads).toHaveLength(1);
    const results = decodeV3ServerPayload(payloads[0]!);
    expect(results.map(m => (m.tag === 'ReducerResult' ? m.requestId : m.tag))).toEqual(
      calls.map(c => c.requestId),
    );
  });

  it('keeps frames within 512 KiB, an oversized message alone', async () => {
    const team = nextTeam++;
    const watcher = await open('compression=None', true);
    await subscribe(watcher, 1, `SELECT * FROM player WHERE team = ${team}`);
    const caller = await open();
    const big = 200_000;
    const calls = [1, 1, 1, 3].map(n => call('add_many', [n, team, big]));
    caller.send(...calls);
    await until(() => published(caller.identity, 'add_many') === 4, 'four calls');
    await settle();
    const payloads = watcher.takePayloads();
    const counts = payloads.map(p => decodeV3ServerPayload(p).length);
    expect(counts).toEqual([2, 1, 1]);
    expect(payloads[0]!.length).toBeLessThanOrEqual(V3_MAX_COALESCED_BYTES);
    expect(payloads[0]!.length + payloads[1]!.length).toBeGreaterThan(V3_MAX_COALESCED_BYTES);
    expect(payloads[2]!.length).toBeGreaterThan(V3_MAX_COALESCED_BYTES);
    const rows = payloads
      .flatMap(p => decodeV3ServerPayload(p))
      .map(m => (m.tag === 'TransactionUpdate' ? rowsOf(m).length : -1));
    expect(rows).toEqual([1, 1, 1, 1]);
  });

  it('takes several client messages in one frame and refuses an empty one', async () => {
    const c = await open('compression=None', true);
    c.send(
      { tag: 'OneOffQuery', requestId: 1, queryString: 'SELECT * FROM team WHERE id = 0' },
      { tag: 'OneOffQuery', requestId: 2, queryString: 'SELECT * FROM team WHERE id = 1' },
    );
    await settle();
    expect(c.take().map(m => (m.tag === 'OneOffQueryResult' ? m.requestId : 0))).toEqual([1, 2]);
    c.handler.onFrame(new Uint8Array(0), true);
    expect(c.socket.ended.map(e => e.code)).toEqual([WS_CLOSE.INVALID_PAYLOAD]);
  });
});

describe('v2 handler: errors stay in the server log', () => {
  it('answers with the SQL error, or a generic one for internal trouble', async () => {
    const c = await open();
    c.send({ tag: 'OneOffQuery', requestId: 5, queryString: 'SELECT * FROM nowhere' });
    await settle();
    const bad = only(c.take(), 'OneOffQueryResult');
    expect(bad.result.tag === 'Err' && bad.result.message).toMatch(/no such table "nowhere"/);
    const before = logger.errors.length;
    gated.failReads = true;
    try {
      c.send({ tag: 'OneOffQuery', requestId: 6, queryString: 'SELECT * FROM team' });
      c.send({
        tag: 'Subscribe',
        requestId: 7,
        querySetId: 70,
        queryStrings: ['SELECT * FROM team'],
      });
      // The requests read asynchronously: reads fail until both are answered.
      await settle();
    } finally {
      gated.failReads = false;
    }
    const [oneOff, sub] = c.take();
    expect(oneOff).toEqual({
      tag: 'OneOffQueryResult',
      requestId: 6,
      result: { tag: 'Err', message: 'internal error (see the server log)' },
    });
    expect(sub).toEqual({
      tag: 'SubscriptionError',
      requestId: 7,
      querySetId: 70,
      error: 'internal error (see the server log)',
    });
    expect(logger.errors.slice(before)).toEqual(['one-off query failed', 'subscribe failed']);
  });

  it('closes 1003 on a text frame and 1007 on a malformed one', async () => {
    const a = await open();
    a.handler.onFrame(new TextEncoder().encode('{}'), false);
    expect(a.socket.ended.map(e => e.code)).toEqual([WS_CLOSE.UNSUPPORTED_DATA]);
    const b = await open();
    b.handler.onFrame(Uint8Array.of(250, 1, 2), true);
    expect(b.socket.ended.map(e => e.code)).toEqual([WS_CLOSE.INVALID_PAYLOAD]);
  });
});
