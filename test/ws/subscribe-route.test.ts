/**
 * The WebSocket API end to end on a real server: upgrade checks, IdentityToken first, reducer
 * calls and their TransactionUpdates, every subscription message, one-off queries, lifecycle
 * reducers, ordering, compression and bad input.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type ServerMessage,
} from '../../runtime/protocol/index.js';
import {
  addPlayerArgs as addPlayer,
  player,
  serveWsFixture,
  U32 as u32,
} from '../helpers/ws-fixture.js';
import { openWs, type JsonServerMessage, type TestWsClient } from '../helpers/ws-client.js';

const { server, api, owner, published } = await serveWsFixture('wsfix');
const other = await api.newIdentity();

let requestId = 100;
function call(c: TestWsClient, reducer: string, args: Uint8Array, flags = 0): number {
  const id = requestId++;
  c.send({
    tag: 'CallReducer',
    reducer,
    args: { format: 'bsatn', bytes: args },
    requestId: id,
    flags,
  });
  return id;
}

async function connect(token = owner.token, query?: string): Promise<TestWsClient> {
  const c = await openWs(server.url, 'wsfix', { token, ...(query === undefined ? {} : { query }) });
  const first = await c.next();
  expect(first.tag).toBe('IdentityToken');
  return c;
}

function committedRows(m: ServerMessage): { inserts: Uint8Array[]; deletes: Uint8Array[] } {
  const update =
    m.tag === 'TransactionUpdate'
      ? m.status.tag === 'Committed'
        ? m.status.update
        : undefined
      : m.tag === 'TransactionUpdateLight'
        ? m.update
        : undefined;
  const out = { inserts: [] as Uint8Array[], deletes: [] as Uint8Array[] };
  for (const t of update?.tables ?? [])
    for (const u of t.updates) {
      out.inserts.push(...u.inserts);
      out.deletes.push(...u.deletes);
    }
  return out;
}

describe('upgrade', () => {
  it('publishes the fixture', () => expect(published).toBe(200));

  it('refuses a missing or unknown protocol with 400 "no valid protocol selected"', async () => {
    for (const protocols of [['v9.nope'], []]) {
      const socket = new WebSocket(
        `${server.url.replace('http', 'ws')}/v1/database/wsfix/subscribe`,
        protocols,
      );
      const refused = await new Promise<{ status: number | undefined; body: string }>(resolve => {
        socket.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        socket.once('open', () => resolve({ status: 101, body: '' }));
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('no valid protocol selected');
    }
  });

  it('refuses bad parameters, unknown databases and bad tokens with the HTTP error body', async () => {
    await expect(openWs(server.url, 'wsfix', { query: 'compression=Zstd' })).rejects.toMatchObject({
      status: 400,
      body: expect.stringContaining('compression must be one of None, Gzip, Brotli'),
    });
    await expect(openWs(server.url, 'wsfix', { query: 'light=maybe' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      openWs(server.url, 'wsfix', { query: 'connection_id=00000000000000000000000000000000' }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(openWs(server.url, 'nosuchdb')).rejects.toMatchObject({ status: 404 });
    await expect(openWs(server.url, 'wsfix', { token: 'not-a-token' })).rejects.toMatchObject({
      status: 401,
    });
  });

  it('sends IdentityToken first: the presented identity, or a new one with its token', async () => {
    const known = await openWs(server.url, 'wsfix', { token: other.token });
    const m = await known.next();
    expect(m).toMatchObject({ tag: 'IdentityToken', token: other.token });
    expect(m.tag === 'IdentityToken' && m.identity.toHex()).toBe(other.identity);
    known.close();
    const anonymous = await openWs(server.url, 'wsfix');
    const a = await anonymous.next();
    expect(a.tag).toBe('IdentityToken');
    if (a.tag === 'IdentityToken') {
      expect(a.identity.toHex()).not.toBe(other.identity);
      const verified = await api.json('GET', `/v1/identity/${a.identity.toHex()}/verify`, {
        token: a.token,
      });
      expect(verified.status).toBe(204);
    }
    anonymous.close();
  });
});

describe('reducer calls', () => {
  it('answers the caller with a full TransactionUpdate carrying its request id', async () => {
    const c = await connect();
    const id = call(c, 'add_player', addPlayer('ann', 1, 10n));
    const m = await c.next();
    expect(m.tag).toBe('TransactionUpdate');
    if (m.tag !== 'TransactionUpdate') return;
    expect(m.status.tag).toBe('Committed');
    expect(m.reducerCall).toMatchObject({ reducerName: 'add_player', requestId: id });
    expect(m.callerIdentity.toHex()).toBe(owner.identity);
    c.close();
  });

  it('reports a failing reducer, an unknown reducer and bad arguments as Failed with the message', async () => {
    const c = await connect();
    const failArgs = encodeToBytes(
      { tag: 'Product', elements: [{ name: 'message', type: { tag: 'String' } }] },
      ['nope'],
    );
    const a = call(c, 'fail', failArgs);
    const b = call(c, 'no_such_reducer', new Uint8Array(0));
    const d = call(c, 'add_player', new Uint8Array([1, 2]));
    const e = call(c, 'client_connected', new Uint8Array(0));
    const got = [await c.next(), await c.next(), await c.next(), await c.next()];
    const byId = new Map(
      got.map(m => [m.tag === 'TransactionUpdate' ? m.reducerCall.requestId : -1, m]),
    );
    const failed = (id: number) => {
      const m = byId.get(id);
      return m?.tag === 'TransactionUpdate' && m.status.tag === 'Failed'
        ? m.status.message
        : undefined;
    };
    expect(failed(a)).toBe('nope');
    expect(failed(b)).toContain('no reducer "no_such_reducer"');
    expect(failed(d)).toContain('arguments');
    expect(failed(e)).toContain('lifecycle');
    c.close();
  });

  it('replies in request order across pipelined calls', async () => {
    const c = await connect();
    const ids = Array.from({ length: 50 }, (_, i) =>
      call(c, 'add_player', addPlayer(`p${i}`, 2, BigInt(i))),
    );
    const seen: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const m = await c.next();
      if (m.tag === 'TransactionUpdate') seen.push(m.reducerCall.requestId);
    }
    expect(seen).toEqual(ids);
    c.close();
  });

  it("NoSuccessNotify suppresses the caller's success message but not its failure", async () => {
    const c = await connect();
    call(c, 'add_player', addPlayer('quiet', 3, 0n), 1);
    const failId = call(
      c,
      'set_score',
      encodeToBytes(
        {
          tag: 'Product',
          elements: [
            { name: 'id', type: u32 },
            { name: 'score', type: { tag: 'I64' } },
          ],
        },
        [999_999, 1n],
      ),
      1,
    );
    const m = await c.next();
    expect(m).toMatchObject({
      tag: 'TransactionUpdate',
      status: { tag: 'Failed', message: 'no such player' },
    });
    expect(m.tag === 'TransactionUpdate' && m.reducerCall.requestId).toBe(failId);
    c.close();
  });
});

describe('subscriptions', () => {
  it('SubscribeSingle returns the matching rows, then only the diffs of later transactions', async () => {
    const watcher = await connect(other.token);
    watcher.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 7',
      requestId: 1,
      queryId: 1,
    });
    const applied = await watcher.next();
    expect(applied).toMatchObject({
      tag: 'SubscribeApplied',
      requestId: 1,
      queryId: 1,
      rows: { tableName: 'player' },
    });
    expect(
      applied.tag === 'SubscribeApplied' && applied.rows.tableRows.updates[0]!.inserts,
    ).toEqual([]);

    const writer = await connect();
    call(writer, 'add_player', addPlayer('in7', 7, 1n));
    call(writer, 'add_player', addPlayer('in8', 8, 1n));
    const m = await watcher.next();
    expect(m.tag).toBe('TransactionUpdate');
    const rows = committedRows(m);
    expect(rows.inserts.map(r => player(r)[2])).toEqual(['in7']);
    expect(rows.deletes).toEqual([]);
    if (m.tag === 'TransactionUpdate')
      expect(m.reducerCall).toMatchObject({ reducerName: 'add_player', requestId: 0 });
    const id = player(rows.inserts[0]!)[0];
    await writer.next();
    await writer.next();

    // An update is a delete of the old row and an insert of the new one.
    call(
      writer,
      'set_score',
      encodeToBytes(
        {
          tag: 'Product',
          elements: [
            { name: 'id', type: u32 },
            { name: 'score', type: { tag: 'I64' } },
          ],
        },
        [id, 99n],
      ),
    );
    const u = committedRows(await watcher.next());
    expect(u.deletes.map(r => player(r)[3])).toEqual([1n]);
    expect(u.inserts.map(r => player(r)[3])).toEqual([99n]);
    await writer.next();

    watcher.send({ tag: 'Unsubscribe', requestId: 2, queryId: 1 });
    const un = await watcher.next();
    expect(un).toMatchObject({ tag: 'UnsubscribeApplied', requestId: 2, queryId: 1 });
    expect(
      un.tag === 'UnsubscribeApplied' &&
        un.rows.tableRows.updates[0]!.deletes.map(r => player(r)[2]),
    ).toEqual(['in7']);
    call(writer, 'add_player', addPlayer('late7', 7, 1n));
    await writer.next();
    await expect(watcher.next(300)).rejects.toThrow(/no message/);
    watcher.close();
    writer.close();
  });

  it('Subscribe (legacy) replaces the query set and answers InitialSubscription; joins work', async () => {
    const c = await connect();
    call(
      c,
      'add_team',
      encodeToBytes(
        {
          tag: 'Product',
          elements: [
            { name: 'id', type: u32 },
            { name: 'name', type: { tag: 'String' } },
          ],
        },
        [40, 'forty'],
      ),
    );
    await c.next();
    call(c, 'add_player', addPlayer('p40', 40, 5n));
    await c.next();
    c.send({
      tag: 'Subscribe',
      queryStrings: [
        "SELECT player.* FROM player JOIN team ON player.team = team.id WHERE team.name = 'forty'",
      ],
      requestId: 3,
    });
    const init = await c.next();
    expect(init).toMatchObject({ tag: 'InitialSubscription', requestId: 3 });
    if (init.tag !== 'InitialSubscription') return;
    expect(
      init.databaseUpdate.tables
        .flatMap(t => t.updates.flatMap(u => u.inserts))
        .map(r => player(r)[2]),
    ).toEqual(['p40']);
    call(c, 'add_player', addPlayer('p40b', 40, 6n));
    const m = await c.next();
    expect(committedRows(m).inserts.map(r => player(r)[2])).toEqual(['p40b']);
    c.send({ tag: 'Subscribe', queryStrings: ['SELECT * FROM team'], requestId: 4 });
    const again = await c.next();
    expect(
      again.tag === 'InitialSubscription' && again.databaseUpdate.tables.map(t => t.tableName),
    ).toEqual(['team']);
    c.close();
  });

  it('SubscribeMulti and UnsubscribeMulti work on a query set', async () => {
    const c = await connect();
    c.send({
      tag: 'SubscribeMulti',
      queryStrings: ['SELECT * FROM player WHERE team = 50', 'SELECT * FROM team WHERE id = 50'],
      requestId: 5,
      queryId: 9,
    });
    expect(await c.next()).toMatchObject({
      tag: 'SubscribeMultiApplied',
      requestId: 5,
      queryId: 9,
    });
    call(c, 'add_player', addPlayer('p50', 50, 1n));
    expect(committedRows(await c.next()).inserts.length).toBe(1);
    c.send({ tag: 'UnsubscribeMulti', requestId: 6, queryId: 9 });
    const un = await c.next();
    expect(un).toMatchObject({ tag: 'UnsubscribeMultiApplied', requestId: 6, queryId: 9 });
    c.close();
  });

  it('answers invalid queries and unknown query ids with SubscriptionError', async () => {
    const c = await connect(other.token);
    c.send({ tag: 'SubscribeSingle', query: 'SELECT * FORM player', requestId: 7, queryId: 2 });
    const bad = await c.next();
    expect(bad).toMatchObject({ tag: 'SubscriptionError', requestId: 7, queryId: 2 });
    expect(bad.tag === 'SubscriptionError' && bad.error).toMatch(/1:10/);
    c.send({ tag: 'SubscribeSingle', query: 'SELECT * FROM secret', requestId: 8, queryId: 3 });
    expect(await c.next()).toMatchObject({
      tag: 'SubscriptionError',
      requestId: 8,
      error: expect.stringContaining('secret'),
    });
    c.send({ tag: 'Unsubscribe', requestId: 9, queryId: 77 });
    expect(await c.next()).toMatchObject({ tag: 'SubscriptionError', requestId: 9, queryId: 77 });
    c.close();
  });

  it('shows SQL INSERT, UPDATE and DELETE to subscribers like any transaction', async () => {
    const c = await connect(other.token);
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM team WHERE id >= 500',
      requestId: 1,
      queryId: 1,
    });
    expect((await c.next()).tag).toBe('SubscribeApplied');
    const sql = (text: string) =>
      api.json('POST', '/v1/database/wsfix/sql', { token: owner.token, body: text });
    const TEAM: AlgebraicType = {
      tag: 'Product',
      elements: [
        { name: 'id', type: u32 },
        { name: 'name', type: { tag: 'String' } },
      ],
    };
    expect((await sql("INSERT INTO team (id, name) VALUES (500, 'sql')")).status).toBe(200);
    const inserted = await c.next();
    expect(inserted.tag === 'TransactionUpdate' && inserted.reducerCall.reducerName).toBe(
      '__sql__',
    );
    expect(committedRows(inserted).inserts.map(r => decodeFromBytes(TEAM, r))).toEqual([
      [500, 'sql'],
    ]);
    expect((await sql("UPDATE team SET name = 'renamed' WHERE id = 500")).status).toBe(200);
    const updated = committedRows(await c.next());
    expect(updated.deletes.map(r => decodeFromBytes(TEAM, r))).toEqual([[500, 'sql']]);
    expect(updated.inserts.map(r => decodeFromBytes(TEAM, r))).toEqual([[500, 'renamed']]);
    expect((await sql('DELETE FROM team WHERE id = 500')).status).toBe(200);
    expect(committedRows(await c.next()).deletes.map(r => decodeFromBytes(TEAM, r))).toEqual([
      [500, 'renamed'],
    ]);
    c.close();
  });

  it('lets the owner subscribe to private tables', async () => {
    const c = await connect();
    c.send({ tag: 'SubscribeSingle', query: 'SELECT * FROM secret', requestId: 10, queryId: 4 });
    expect(await c.next()).toMatchObject({ tag: 'SubscribeApplied', requestId: 10 });
    c.close();
  });

  it("light clients get TransactionUpdateLight for other clients' transactions", async () => {
    const light = await connect(other.token, 'compression=None&light=true');
    light.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 60',
      requestId: 1,
      queryId: 1,
    });
    await light.next();
    const writer = await connect();
    call(writer, 'add_player', addPlayer('p60', 60, 1n));
    const m = await light.next();
    expect(m.tag).toBe('TransactionUpdateLight');
    expect(committedRows(m).inserts.length).toBe(1);
    light.close();
    writer.close();
  });

  it("a reply waits for the caller's earlier calls, so the first rows include them", async () => {
    const c = await connect();
    call(c, 'add_player', addPlayer('before', 70, 1n));
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 70',
      requestId: 11,
      queryId: 5,
    });
    const first = await c.next();
    expect(first.tag).toBe('TransactionUpdate');
    const second = await c.next();
    expect(
      second.tag === 'SubscribeApplied' &&
        second.rows.tableRows.updates[0]!.inserts.map(r => player(r)[2]),
    ).toEqual(['before']);
    c.close();
  });
});

describe('one-off queries', () => {
  it('returns rows of a SELECT and an error for bad SQL or DML', async () => {
    const c = await connect();
    c.send({
      tag: 'OneOffQuery',
      messageId: new Uint8Array([1, 2, 3]),
      queryString: "SELECT * FROM player WHERE name = 'ann'",
    });
    const m = await c.next();
    expect(m).toMatchObject({ tag: 'OneOffQueryResponse', error: undefined });
    if (m.tag === 'OneOffQueryResponse') {
      expect([...m.messageId]).toEqual([1, 2, 3]);
      expect(m.tables[0]!.rows.map(r => player(r)[2])).toEqual(['ann']);
    }
    c.send({ tag: 'OneOffQuery', messageId: new Uint8Array([4]), queryString: 'SELECT FROM' });
    expect(await c.next()).toMatchObject({
      tag: 'OneOffQueryResponse',
      error: expect.stringContaining('1:'),
    });
    c.send({
      tag: 'OneOffQuery',
      messageId: new Uint8Array([5]),
      queryString: 'DELETE FROM player',
    });
    expect(await c.next()).toMatchObject({
      tag: 'OneOffQueryResponse',
      error: expect.stringContaining('only SELECT'),
    });
    c.close();
  });
});

describe('the JSON protocol', () => {
  it('speaks the same messages as text, rows as JSON strings', async () => {
    const c = (await openWs(server.url, 'wsfix', {
      token: owner.token,
      format: 'json',
    })) as unknown as TestWsClient<JsonServerMessage>;
    expect((await c.next()).tag).toBe('IdentityToken');
    expect(typeof c.frames[0]).toBe('string');
    c.send({
      tag: 'SubscribeSingle',
      query: 'SELECT * FROM player WHERE team = 80',
      requestId: 1,
      queryId: 1,
    });
    expect((await c.next()).tag).toBe('SubscribeApplied');
    c.send({
      tag: 'CallReducer',
      reducer: 'add_player',
      args: { format: 'json', text: '["j1", 80, 5]' },
      requestId: 2,
      flags: 0,
    });
    const m = await c.next();
    expect(m.tag).toBe('TransactionUpdate');
    const frame = JSON.parse(c.frames.at(-1) as string) as {
      TransactionUpdate: { reducer_call: { args: string } };
    };
    expect(JSON.parse(frame.TransactionUpdate.reducer_call.args)).toEqual(['j1', 80, 5]);
    expect(c.frames.at(-1)).toContain('\\"j1\\"');
    c.close();
  });
});

describe('compression', () => {
  it('compresses messages over 1 KiB when asked (gzip and brotli), never small ones', async () => {
    for (const [name, tag] of [
      ['Gzip', 2],
      ['Brotli', 1],
    ] as const) {
      const c = await connect(owner.token, `compression=${name}`);
      c.send({
        tag: 'SubscribeSingle',
        query: `SELECT * FROM player WHERE team = ${90 + tag}`,
        requestId: 1,
        queryId: 1,
      });
      await c.next();
      expect((c.frames.at(-1) as Buffer)[0]).toBe(0);
      call(
        c,
        'add_many',
        encodeToBytes(
          {
            tag: 'Product',
            elements: [
              { name: 'n', type: u32 },
              { name: 'team', type: u32 },
              { name: 'len', type: u32 },
            ],
          },
          [20, 90 + tag, 200],
        ),
      );
      const m = await c.next();
      expect(committedRows(m).inserts.length).toBe(20);
      expect((c.frames.at(-1) as Buffer)[0]).toBe(tag);
      c.close();
    }
  });
});

describe('lifecycle reducers', () => {
  it('runs client_connected before IdentityToken and client_disconnected on close', async () => {
    const fresh = await api.newIdentity();
    const c = await connect(fresh.token);
    c.close();
    await c.closed;
    const visits = async () =>
      (
        await api.json('POST', '/v1/database/wsfix/sql', {
          token: owner.token,
          body: `SELECT connects, disconnects FROM visit WHERE who = 0x${fresh.identity}`,
        })
      ).body as { rows: unknown[][] }[];
    for (let i = 0; i < 50 && (await visits())[0]!.rows[0]?.[1] !== 1; i++)
      await new Promise(r => setTimeout(r, 20));
    expect((await visits())[0]!.rows).toEqual([[1, 1]]);
  });

  it('closes the socket when client_connected fails, before IdentityToken', async () => {
    const admin = await connect();
    call(admin, 'set_gate', new Uint8Array([1]));
    await admin.next();
    const c = await openWs(server.url, 'wsfix', { token: other.token });
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('the gate is closed');
    expect(c.frames).toEqual([]);
    call(admin, 'set_gate', new Uint8Array([0]));
    await admin.next();
    admin.close();
  });
});

describe('bad input', () => {
  it("closes with 1007 and the decoder's message on a malformed binary message", async () => {
    const c = await connect();
    c.socket.send(Buffer.from([0x63, 1, 2]));
    const closed = await c.closed;
    expect(closed.code).toBe(1007);
    expect(closed.reason.length).toBeGreaterThan(0);
  });

  it('closes with 1003 on a text frame in the binary protocol', async () => {
    const c = await connect();
    c.socket.send('{"CallReducer":{}}');
    expect((await c.closed).code).toBe(1003);
  });

  it('closes a connection whose message is over --ws-max-message-bytes with 1009, and the server keeps serving', async () => {
    const c = await connect();
    const limit = server.config.wsMaxMessageBytes;
    c.socket.send(Buffer.alloc(limit + 10));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toBe(
      `a message of ${limit + 10} bytes is over the limit of ${limit} (--ws-max-message-bytes)`,
    );
    const ok = await connect();
    call(ok, 'add_player', addPlayer('still', 1, 1n));
    expect((await ok.next()).tag).toBe('TransactionUpdate');
    ok.close();
  });
});
