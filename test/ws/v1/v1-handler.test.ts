/**
 * The v1 handler below the route: fake sockets, a real `Feeds`/`DatabaseFeed` over a real engine
 * database (the ws fixture) seen through a handle whose batches become durable only when the
 * test releases them. Every frame a socket got is decoded with the client decoders and checked
 * whole: the caller hears of its call exactly once, after durability; other clients' row
 * updates leave before durability without confirmed reads and after it with them; light mode;
 * NoSuccessNotify; failures reach the caller only; requests after a call wait for it; internal
 * errors never reach the client.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeServerMessageBsatn,
  decodeServerMessageJson,
  encodeClientMessageBsatn,
  encodeClientMessageJson,
  Identity,
  WS_CLOSE,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  type ClientMessage,
  type DatabaseUpdate,
  type ServerMessage,
} from '../../../runtime/protocol/index.js';
import { decompressBytes, unframeServerPayload } from '../../../runtime/ws/frame-compression.js';
import { readParams } from '../../../runtime/ws/negotiate.js';
import { V1Handler } from '../../../runtime/ws/v1/v1-handler.js';
import { flushed, until } from '../../helpers/wait.js';
import { FakeSocket, HandlerHarness } from '../../helpers/ws-handler-harness.js';

// ---- the database and the clients (harness: test/helpers/ws-handler-harness.ts) -------------

const harness = await HandlerHarness.create('v1h');
const { gated, logger, deps, names } = harness;
const args = harness.args.bind(harness);
const settle = () => harness.settle();

class Client {
  constructor(
    readonly handler: V1Handler,
    readonly socket: FakeSocket,
    readonly identity: Identity,
    readonly format: 'bsatn' | 'json',
  ) {}
  send(message: ClientMessage): void {
    if (this.format === 'json') {
      this.handler.onFrame(new TextEncoder().encode(encodeClientMessageJson(message)), false);
    } else this.handler.onFrame(encodeClientMessageBsatn(message), true);
  }
  /** The messages received since the last call (bsatn clients only). */
  take(): ServerMessage[] {
    return this.socket.frames.splice(0).map(f => {
      if (typeof f.data === 'string' || !f.binary) throw new Error('a text frame on v1.bsatn');
      return decodeServerMessageBsatn(unframeServerPayload(f.data), decompressBytes);
    });
  }
}

async function open(query = 'compression=None', format: 'bsatn' | 'json' = 'bsatn') {
  const protocol = format === 'json' ? WS_PROTOCOL_V1_JSON : WS_PROTOCOL_V1_BSATN;
  const { handler, socket, init } = await harness.open(
    protocol,
    query,
    (socket, init) => new V1Handler(socket, deps, init, format),
  );
  const client = new Client(handler, socket, init.identity, format);
  if (format === 'bsatn') expect(client.take().map(m => m.tag)).toEqual(['IdentityToken']);
  return { client, connectionId: init.params.connectionId };
}

let nextTeam = 2000;
let nextRequest = 1;

async function subscribe(c: Client, sql: string, queryId = nextRequest++): Promise<void> {
  const requestId = nextRequest++;
  c.send({ tag: 'SubscribeSingle', query: sql, requestId, queryId });
  await until(() => c.socket.frames.length > 0, 'SubscribeApplied');
  await settle();
  expect(c.take().map(m => m.tag)).toEqual(['SubscribeApplied']);
}

const addPlayer = (name: string, team: number, flags = 0): ClientMessage => ({
  tag: 'CallReducer',
  reducer: 'add_player',
  args: { format: 'bsatn', bytes: args('add_player', [name, team, 1n]) },
  requestId: nextRequest++,
  flags,
});

/** Sends `message` and waits until its batch is published (not yet durable). */
const callAndPublish = (c: Client, message: ClientMessage): Promise<void> =>
  harness.callAndPublish(() => c.send(message));

const inserted = (u: DatabaseUpdate): string[] =>
  u.tables.flatMap(t => t.updates.flatMap(q => names(q.inserts)));

function only<T extends ServerMessage['tag']>(ms: ServerMessage[], tag: T) {
  expect(ms.map(m => m.tag)).toEqual([tag]);
  return ms[0] as Extract<ServerMessage, { tag: T }>;
}

// ---- the tests -------------------------------------------------------------------------------

describe('v1 handler: greeting and calls', () => {
  it('greets with IdentityToken: identity, token, connection id', async () => {
    const params = readParams(new URLSearchParams('compression=None'), WS_PROTOCOL_V1_BSATN);
    const identity = Identity.random();
    const socket = new FakeSocket();
    const init = { identity, isOwner: false, token: 't0', params };
    const handler = new V1Handler(socket, deps, init, 'bsatn');
    const c = new Client(handler, socket, identity, 'bsatn');
    await harness.start(handler, init);
    await flushed();
    const hello = only(c.take(), 'IdentityToken');
    expect([hello.identity.toHex(), hello.token, hello.connectionId.toHex()]).toEqual([
      identity.toHex(),
      't0',
      params.connectionId.toHex(),
    ]);
    await handler.closed();
  });

  it('tells the caller of its call exactly once, after durability, with its rows', async () => {
    const { client: caller, connectionId } = await open();
    const team = nextTeam++;
    await subscribe(caller, `SELECT * FROM player WHERE team = ${team}`);
    const call = addPlayer('ann', team);
    await callAndPublish(caller, call);
    expect(caller.take()).toEqual([]);
    await settle();
    const tx = only(caller.take(), 'TransactionUpdate');
    expect(tx.status.tag === 'Committed' && inserted(tx.status.update)).toEqual(['ann']);
    expect(tx.callerIdentity.toHex()).toBe(caller.identity.toHex());
    expect(tx.callerConnectionId.toHex()).toBe(connectionId.toHex());
    expect(tx.reducerCall).toEqual({
      reducerName: 'add_player',
      reducerId: gated.schema.reducerByName('add_player')!.id,
      args: call.tag === 'CallReducer' ? call.args : undefined,
      requestId: call.tag === 'CallReducer' ? call.requestId : 0,
    });
    caller.send({
      tag: 'OneOffQuery',
      messageId: Uint8Array.of(1),
      queryString: 'SELECT * FROM team WHERE id = 0',
    });
    await settle();
    expect(caller.take().map(m => m.tag)).toEqual(['OneOffQueryResponse']);
    await caller.handler.closed();
  });

  it('sends others their rows before durability unconfirmed, the caller after', async () => {
    const team = nextTeam++;
    const { client: watcher } = await open();
    const { client: caller } = await open();
    await subscribe(watcher, `SELECT * FROM player WHERE team = ${team}`);
    await subscribe(caller, `SELECT * FROM player WHERE team = ${team}`);
    await callAndPublish(caller, addPlayer('bo', team));
    const early = only(watcher.take(), 'TransactionUpdate');
    expect(early.status.tag === 'Committed' && inserted(early.status.update)).toEqual(['bo']);
    expect(early.reducerCall.requestId).toBe(0);
    expect(caller.take()).toEqual([]);
    await settle();
    expect(only(caller.take(), 'TransactionUpdate').reducerCall.requestId).toBeGreaterThan(0);
    expect(watcher.take()).toEqual([]);
  });

  it('holds others’ rows for durability with confirmed=true', async () => {
    const team = nextTeam++;
    const { client: watcher } = await open('compression=None&confirmed=true');
    const { client: caller } = await open();
    await subscribe(watcher, `SELECT * FROM player WHERE team = ${team}`);
    await callAndPublish(caller, addPlayer('cy', team));
    expect(watcher.take()).toEqual([]);
    await settle();
    const tx = only(watcher.take(), 'TransactionUpdate');
    expect(tx.status.tag === 'Committed' && inserted(tx.status.update)).toEqual(['cy']);
    expect(caller.take().map(m => m.tag)).toEqual(['TransactionUpdate']);
  });

  it('sends light clients TransactionUpdateLight for others’ calls only', async () => {
    const team = nextTeam++;
    const { client: watcher } = await open('compression=None&light=true');
    const { client: caller } = await open('compression=None&light=true');
    await subscribe(watcher, `SELECT * FROM player WHERE team = ${team}`);
    await callAndPublish(caller, addPlayer('dee', team));
    await settle();
    const light = only(watcher.take(), 'TransactionUpdateLight');
    expect(light.requestId).toBe(0);
    expect(inserted(light.update)).toEqual(['dee']);
    const full = only(caller.take(), 'TransactionUpdate');
    expect(full.status).toEqual({ tag: 'Committed', update: { tables: [] } });
  });
});

describe('v1 handler: NoSuccessNotify, failures, order', () => {
  it('does not tell a NoSuccessNotify caller of success, unless its rows changed', async () => {
    const team = nextTeam++;
    const { client: caller } = await open();
    await callAndPublish(caller, addPlayer('eve', team, 1));
    await settle();
    expect(caller.take()).toEqual([]);
    await subscribe(caller, `SELECT * FROM player WHERE team = ${team}`);
    await callAndPublish(caller, addPlayer('fay', team, 1));
    await settle();
    const rows = only(caller.take(), 'TransactionUpdate');
    expect(rows.reducerCall.requestId).toBe(0);
    expect(rows.status.tag === 'Committed' && inserted(rows.status.update)).toEqual(['fay']);
  });

  it('always tells the caller of a failure, and nobody else', async () => {
    const { client: watcher } = await open();
    const { client: caller } = await open();
    await subscribe(watcher, 'SELECT * FROM player');
    for (const flags of [0, 1]) {
      const requestId = nextRequest++;
      const bytes = args('fail', ['the dice said no']);
      caller.send({
        tag: 'CallReducer',
        reducer: 'fail',
        args: { format: 'bsatn', bytes },
        requestId,
        flags,
      });
      await until(() => caller.socket.frames.length > 0, 'the failure');
      const tx = only(caller.take(), 'TransactionUpdate');
      expect(tx.status).toEqual({ tag: 'Failed', message: 'the dice said no' });
      expect(tx.reducerCall.requestId).toBe(requestId);
    }
    await settle();
    expect(watcher.take()).toEqual([]);
  });

  it('answers a call that fails its checks with Failed and the reason', async () => {
    const { client: caller } = await open();
    const requestId = nextRequest++;
    caller.send({
      tag: 'CallReducer',
      reducer: 'nope',
      args: { format: 'bsatn', bytes: new Uint8Array(0) },
      requestId,
      flags: 0,
    });
    await flushed();
    const tx = only(caller.take(), 'TransactionUpdate');
    expect(tx.status.tag === 'Failed' && tx.status.message).toMatch(
      /^no reducer "nope" in this database/,
    );
    expect([
      tx.reducerCall.reducerName,
      tx.reducerCall.reducerId,
      tx.reducerCall.requestId,
    ]).toEqual(['nope', 0, requestId]);
  });

  it('answers a request sent after a call only after the call, including its rows', async () => {
    const team = nextTeam++;
    const { client: caller } = await open();
    const call = addPlayer('gus', team);
    caller.send(call);
    caller.send({
      tag: 'SubscribeSingle',
      query: `SELECT * FROM player WHERE team = ${team}`,
      requestId: nextRequest++,
      queryId: 900,
    });
    await until(() => gated.hasPublished(caller.identity, 'add_player'), 'the call');
    await flushed();
    expect(caller.take()).toEqual([]);
    await settle();
    const [result, applied] = caller.take();
    expect([result?.tag, applied?.tag]).toEqual(['TransactionUpdate', 'SubscribeApplied']);
    expect(
      applied?.tag === 'SubscribeApplied' && names(applied.rows.tableRows.updates[0]!.inserts),
    ).toEqual(['gus']);
  });

  it('sends a SubscriptionError, once durable, for a set over the row limit', async () => {
    const team = nextTeam++;
    const { client: watcher } = await open();
    const { client: caller } = await open();
    await subscribe(watcher, `SELECT * FROM player WHERE team = ${team}`, 321);
    await callAndPublish(caller, {
      tag: 'CallReducer',
      reducer: 'add_many',
      args: { format: 'bsatn', bytes: args('add_many', [60, team, 1]) },
      requestId: nextRequest++,
      flags: 0,
    });
    expect(watcher.take()).toEqual([]);
    await settle();
    const err = only(watcher.take(), 'SubscriptionError');
    expect([err.requestId, err.queryId, err.tableId]).toEqual([undefined, 321, undefined]);
    expect(err.error).toMatch(/more than 50 rows, the subscription row limit/);
  });
});

describe('v1 handler: errors stay in the server log', () => {
  it('answers with the SQL error, or a generic one for internal trouble', async () => {
    const { client } = await open();
    client.send({
      tag: 'OneOffQuery',
      messageId: Uint8Array.of(7),
      queryString: 'SELECT * FROM nowhere',
    });
    await flushed();
    const sqlError = only(client.take(), 'OneOffQueryResponse');
    expect(sqlError.error).toMatch(/no such table "nowhere"/);
    const before = logger.errors.length;
    gated.failReads = true;
    try {
      client.send({
        tag: 'OneOffQuery',
        messageId: Uint8Array.of(8),
        queryString: 'SELECT * FROM team',
      });
      client.send({
        tag: 'SubscribeSingle',
        query: 'SELECT * FROM team',
        requestId: nextRequest++,
        queryId: 77,
      });
      // The requests read asynchronously: reads fail until both are answered.
      await flushed();
    } finally {
      gated.failReads = false;
    }
    const [oneOff, sub] = client.take();
    expect(oneOff?.tag === 'OneOffQueryResponse' && [oneOff.error, oneOff.tables]).toEqual([
      'internal error (see the server log)',
      [],
    ]);
    expect(sub?.tag === 'SubscriptionError' && sub.error).toBe(
      'internal error (see the server log)',
    );
    expect(logger.errors.slice(before)).toEqual(['one-off query failed', 'subscribe failed']);
  });

  it('closes 1003 on a text frame and 1007 on a malformed one', async () => {
    const a = await open();
    a.client.handler.onFrame(new TextEncoder().encode('{}'), false);
    expect(a.client.socket.ended.map(e => e.code)).toEqual([WS_CLOSE.UNSUPPORTED_DATA]);
    const b = await open();
    b.client.handler.onFrame(Uint8Array.of(250, 1, 2), true);
    expect(b.client.socket.ended.map(e => e.code)).toEqual([WS_CLOSE.INVALID_PAYLOAD]);
  });
});

describe('v1 handler: JSON', () => {
  it('speaks text frames, with reducer arguments as JSON', async () => {
    const team = nextTeam++;
    const { client } = await open('', 'json');
    const texts = () =>
      client.socket.frames.splice(0).map(f => {
        if (typeof f.data !== 'string' || f.binary) throw new Error('a binary frame on v1.json');
        return decodeServerMessageJson(f.data);
      });
    expect(texts().map(m => m.tag)).toEqual(['IdentityToken']);
    client.send({
      tag: 'CallReducer',
      reducer: 'add_player',
      args: { format: 'json', text: `["hal", ${team}, 5]` },
      requestId: 41,
      flags: 0,
    });
    await until(() => gated.hasPublished(client.identity, 'add_player'), 'the call');
    await settle();
    const [tx] = texts();
    expect(tx?.tag).toBe('TransactionUpdate');
    if (tx?.tag !== 'TransactionUpdate') return;
    expect(tx.reducerCall.requestId).toBe(41);
    expect(tx.reducerCall.args.format === 'json' && JSON.parse(tx.reducerCall.args.text)).toEqual([
      'hal',
      team,
      5,
    ]);
  });
});
