/**
 * Conformance with a client we did not write: the official SpacetimeDB TypeScript SDK 1.x (npm
 * `spacetimedb`, protocol `v1.bsatn.spacetimedb`) against a real server, through bindings written
 * by hand for the ws fixture (primary keys: inserts, updates, deletes) and the chat module
 * (Identity keys, options, timestamps). On Node 20 the SDK loads its WebSocket from `undici`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { openWs } from '../helpers/ws-client.js';
import * as Chat from './sdk-bindings/chat/index.js';
import { Identity } from './sdk-bindings/sdk.js';
import * as Fixture from './sdk-bindings/ws-fixture/index.js';

/** Every HTTP request the process makes (the SDK's token exchange included). */
const requests: { method: string; url: string; authorization: string | null }[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  requests.push({
    method: init?.method ?? 'GET',
    url,
    authorization: new Headers(init?.headers).get('authorization'),
  });
  return realFetch(input, init);
};
afterAll(() => {
  globalThis.fetch = realFetch;
});

const server = await testServer();
const api = client(server);
const owner = await api.newIdentity();
const alice = await api.newIdentity();
const publishedFixture = await api.json('POST', '/v1/database/wsfix', {
  token: owner.token,
  body: moduleBytes('fixtures/ws'),
});
const publishedChat = await api.json('POST', '/v1/database/chat', {
  token: owner.token,
  body: moduleBytes('chat'),
});

const WAIT_MS = 5000;

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined), for at most `ms`. */
async function until<T>(what: string, check: () => T | undefined, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await sleep(5);
  }
}

/** A promise settled by a callback, rejected after `ms`. */
function within<T>(
  what: string,
  start: (resolve: (value: T) => void, reject: (err: unknown) => void) => void,
  ms = WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    start(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      err => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(`${what} failed: ${String(err)}`));
      },
    );
  });
}

interface Opened<C> {
  readonly conn: C;
  readonly identity: Identity;
  readonly token: string;
  /** Settles when the connection ends: the error the SDK reported, or undefined. */
  readonly ended: Promise<Error | undefined>;
}

interface ConnectOptions {
  readonly token?: string;
  readonly compression?: 'gzip' | 'none';
  readonly light?: boolean;
  readonly confirmedReads?: boolean;
  readonly database?: string;
}

interface Handlers<C> {
  connect(conn: C, identity: Identity, token: string): void;
  error(err: unknown): void;
  disconnect(err: Error | undefined): void;
}

const live = new Set<{ disconnect(): void }>();
afterAll(() => {
  for (const conn of live) conn.disconnect();
});

function opened<C extends { disconnect(): void }>(
  what: string,
  build: (handlers: Handlers<C>) => void,
): Promise<Opened<C>> {
  let ended!: (err: Error | undefined) => void;
  const endedPromise = new Promise<Error | undefined>(resolve => (ended = resolve));
  return within<Opened<C>>(`onConnect from ${what}`, (resolve, reject) =>
    build({
      connect: (conn, identity, token) => {
        live.add(conn);
        resolve({ conn, identity, token, ended: endedPromise });
      },
      error: reject,
      disconnect: err => ended(err),
    }),
  );
}

function connectFixture(options: ConnectOptions = {}): Promise<Opened<Fixture.DbConnection>> {
  const database = options.database ?? 'wsfix';
  return opened(database, h => {
    let b = Fixture.DbConnection.builder().withUri(server.url).withModuleName(database);
    if (options.token !== undefined) b = b.withToken(options.token);
    if (options.compression !== undefined) b = b.withCompression(options.compression);
    if (options.light === true) b = b.withLightMode(true);
    if (options.confirmedReads !== undefined) b = b.withConfirmedReads(options.confirmedReads);
    b.onConnect(h.connect)
      .onConnectError((_ctx, err) => h.error(err))
      .onDisconnect((_ctx, err) => h.disconnect(err))
      .build();
  });
}

function connectChat(options: ConnectOptions = {}): Promise<Opened<Chat.DbConnection>> {
  return opened('chat', h => {
    let b = Chat.DbConnection.builder().withUri(server.url).withModuleName('chat');
    if (options.token !== undefined) b = b.withToken(options.token);
    if (options.compression !== undefined) b = b.withCompression(options.compression);
    b.onConnect(h.connect)
      .onConnectError((_ctx, err) => h.error(err))
      .onDisconnect((_ctx, err) => h.disconnect(err))
      .build();
  });
}

interface SubscriptionStart<H> {
  onApplied(cb: () => void): {
    onError(cb: (ctx: { event?: Error }) => void): { subscribe(q: string | string[]): H };
  };
}

/** Subscribes and resolves with the handle once the server applied the queries. */
function subscribed<H>(builder: SubscriptionStart<H>, queries: string | string[]): Promise<H> {
  return within<H>(`SubscribeApplied for ${String(queries)}`, (resolve, reject) => {
    const handle: H = builder
      .onApplied(() => resolve(handle))
      .onError(ctx => reject(ctx.event ?? new Error('subscription error without a message')))
      .subscribe(queries);
  });
}

/** The subscription error the server reports for `queries`. */
function subscriptionError<H>(
  builder: SubscriptionStart<H>,
  queries: string | string[],
): Promise<Error> {
  return within<Error>(`SubscriptionError for ${String(queries)}`, (resolve, reject) => {
    builder
      .onApplied(() => reject(new Error(`the server applied ${String(queries)}`)))
      .onError(ctx => resolve(ctx.event ?? new Error('')))
      .subscribe(queries);
  });
}

type RowEvent<Row> =
  | { readonly kind: 'insert'; readonly row: Row; readonly event: string }
  | { readonly kind: 'delete'; readonly row: Row; readonly event: string }
  | { readonly kind: 'update'; readonly old: Row; readonly row: Row; readonly event: string };

interface EventTag {
  readonly event: { readonly tag: string };
}

/** The row callbacks of a client table (`onUpdate` only with a primary key). */
interface RowSource<Row> {
  onInsert(cb: (ctx: EventTag, row: Row) => void): void;
  onDelete(cb: (ctx: EventTag, row: Row) => void): void;
  onUpdate?(cb: (ctx: EventTag, old: Row, row: Row) => void): void;
}

/** Records a table's row callbacks in order, with the tag of the event that caused each. */
function recordRows<Row>(table: RowSource<Row>): RowEvent<Row>[] {
  const events: RowEvent<Row>[] = [];
  table.onInsert((ctx, row) => events.push({ kind: 'insert', row, event: ctx.event.tag }));
  table.onDelete((ctx, row) => events.push({ kind: 'delete', row, event: ctx.event.tag }));
  table.onUpdate?.((ctx, old, row) =>
    events.push({ kind: 'update', old, row, event: ctx.event.tag }),
  );
  return events;
}

/** Calls a reducer through the SDK and resolves with the reducer event the caller receives. */
function callAndWait<Ctx, Args>(
  on: (cb: (ctx: Ctx, args: Args) => void) => void,
  off: (cb: (ctx: Ctx, args: Args) => void) => void,
  call: () => void,
  what: string,
): Promise<{ ctx: Ctx; args: Args }> {
  return within(`reducer event for ${what}`, resolve => {
    const cb = (ctx: Ctx, args: Args) => {
      off(cb);
      resolve({ ctx, args });
    };
    on(cb);
    call();
  });
}

/** A round trip on `conn` (subscribe + unsubscribe a query that matches nothing): every message the server sent it before is handled after this resolves. */
async function barrier(conn: Fixture.DbConnection): Promise<void> {
  const handle = await subscribed(
    conn.subscriptionBuilder(),
    'SELECT * FROM team WHERE id = 4000000000',
  );
  await within<void>('UnsubscribeApplied for the barrier', resolve =>
    handle.unsubscribeThen(() => resolve()),
  );
}

function addPlayer(
  opened: Opened<Fixture.DbConnection>,
  name: string,
  team: number,
  score: bigint,
) {
  const { conn } = opened;
  return callAndWait(
    conn.reducers.onAddPlayer,
    conn.reducers.removeOnAddPlayer,
    () => conn.reducers.addPlayer({ name, team, score }),
    `add_player(${name})`,
  );
}

function httpCall(db: string, reducer: string, args: unknown[], token = owner.token) {
  return api.json('POST', `/v1/database/${db}/call/${reducer}`, {
    token,
    body: JSON.stringify(args),
    contentType: 'application/json',
  });
}

describe('official SDK: connecting', () => {
  it('publishes the modules the bindings describe', () => {
    expect(publishedFixture.status).toBe(200);
    expect(publishedChat.status).toBe(200);
  });

  it('exchanges a given token at /v1/identity/websocket-token, then reports that identity and token', async () => {
    const before = requests.length;
    const a = await connectFixture({ token: alice.token });
    expect(a.identity.toHexString()).toBe(alice.identity);
    expect(a.token).toBe(alice.token);
    expect(a.conn.identity?.toHexString()).toBe(alice.identity);
    expect(a.conn.isActive).toBe(true);
    expect(a.conn.connectionId.isZero()).toBe(false);
    const exchange = requests
      .slice(before)
      .filter(r => r.url.endsWith('/v1/identity/websocket-token'));
    expect(exchange).toEqual([
      {
        method: 'POST',
        url: `${server.url}/v1/identity/websocket-token`,
        authorization: `Bearer ${alice.token}`,
      },
    ]);
    a.conn.disconnect();
    expect(await within('onDisconnect', resolve => void a.ended.then(resolve))).toBeUndefined();
  });

  it('connects without a token: a new identity with a token the server accepts and that connects again as the same identity', async () => {
    const before = requests.length;
    const anon = await connectFixture();
    expect(requests.slice(before).some(r => r.url.includes('websocket-token'))).toBe(false);
    const hex = anon.identity.toHexString();
    expect(hex).toMatch(/^c200[0-9a-f]{60}$/);
    expect(hex).not.toBe(alice.identity);
    expect(anon.token.split('.')).toHaveLength(3);
    expect(
      (await api.json('GET', `/v1/identity/${hex}/verify`, { token: anon.token })).status,
    ).toBe(204);
    anon.conn.disconnect();
    const again = await connectFixture({ token: anon.token });
    expect(again.identity.toHexString()).toBe(hex);
    again.conn.disconnect();
  });

  it('reports a refused upgrade (unknown database) through onConnectError, never onConnect', async () => {
    let connected = false;
    const err = await within<unknown>('onConnectError', resolve => {
      Fixture.DbConnection.builder()
        .withUri(server.url)
        .withModuleName('nosuchdb')
        .withToken(alice.token)
        .onConnect(() => (connected = true))
        .onConnectError((_ctx, e) => resolve(e))
        .build();
    });
    expect(connected).toBe(false);
    expect(String((err as { message?: unknown }).message)).toMatch(/non-101|network error/i);
  });

  it('fails to connect with a token the server does not accept (the token exchange is refused)', async () => {
    await expect(connectFixture({ token: 'not-a-token' })).rejects.toThrow(
      /Failed to verify token/,
    );
  });
});

describe('official SDK: subscriptions and row callbacks (ws fixture)', () => {
  it('applies a subscription with the initial rows, firing onInsert for each, with unique-index lookups', async () => {
    for (const [id, name] of [
      [11, 'red'],
      [12, 'blue'],
    ] as const) {
      expect((await httpCall('wsfix', 'add_team', [id, name])).status).toBe(200);
    }
    const a = await connectFixture({ token: alice.token });
    const teams = recordRows<Fixture.Team>(a.conn.db.team);
    let applied = -1n;
    const handle = await within<Fixture.SubscriptionHandle>('SubscribeApplied', resolve => {
      const h = a.conn
        .subscriptionBuilder()
        .onApplied(ctx => {
          applied = ctx.db.team.count();
          resolve(h);
        })
        .subscribe('SELECT * FROM team WHERE id >= 11 AND id <= 12');
    });
    expect(handle.isActive()).toBe(true);
    expect(applied).toBe(2n);
    expect([...a.conn.db.team.iter()].sort((x, y) => x.id - y.id)).toEqual([
      { id: 11, name: 'red' },
      { id: 12, name: 'blue' },
    ]);
    expect(a.conn.db.team.id.find(12)).toEqual({ id: 12, name: 'blue' });
    expect(a.conn.db.team.id.find(13)).toBeNull();
    await until('two inserts', () => (teams.length === 2 ? true : undefined));
    expect(teams.map(e => [e.kind, e.event, e.row.id]).sort()).toEqual([
      ['insert', 'SubscribeApplied', 11],
      ['insert', 'SubscribeApplied', 12],
    ]);
    a.conn.disconnect();
  });

  it('calls reducers: the caller gets its reducer event, onInsert, onUpdate (same primary key) and onDelete with the right rows', async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 21');
    const rows = recordRows<Fixture.Player>(a.conn.db.player);

    const added = await addPlayer(a, 'ann', 21, 10n);
    expect(added.args).toEqual({ name: 'ann', team: 21, score: 10n });
    const event = added.ctx.event;
    expect(event.status.tag).toBe('Committed');
    expect(event.reducer).toEqual({
      name: 'add_player',
      args: { name: 'ann', team: 21, score: 10n },
    });
    expect(event.callerIdentity.toHexString()).toBe(alice.identity);
    expect(event.callerConnectionId?.toHexString()).toBe(a.conn.connectionId.toHexString());
    const nowMicros = BigInt(Date.now()) * 1000n;
    expect(event.timestamp.microsSinceUnixEpoch).toBeGreaterThan(nowMicros - 60_000_000n);
    expect(event.timestamp.microsSinceUnixEpoch).toBeLessThanOrEqual(nowMicros + 1_000_000n);

    // Row callbacks run after the reducer callback, in the same message.
    await until('the insert', () => (rows.length >= 1 ? true : undefined));
    const inserted = rows[0]!;
    expect(inserted).toMatchObject({
      kind: 'insert',
      event: 'Reducer',
      row: { team: 21, name: 'ann', score: 10n },
    });
    const id = inserted.row.id;
    expect(id).toBeGreaterThan(0);
    expect(a.conn.db.player.id.find(id)).toEqual({ id, team: 21, name: 'ann', score: 10n });

    const scored = await callAndWait(
      a.conn.reducers.onSetScore,
      a.conn.reducers.removeOnSetScore,
      () => a.conn.reducers.setScore({ id, score: 99n }),
      'set_score',
    );
    expect(scored.ctx.event.status.tag).toBe('Committed');
    await until('the update', () => (rows.length >= 2 ? true : undefined));
    expect(rows[1]).toEqual({
      kind: 'update',
      event: 'Reducer',
      old: { id, team: 21, name: 'ann', score: 10n },
      row: { id, team: 21, name: 'ann', score: 99n },
    });
    expect(a.conn.db.player.count()).toBe(1n);

    await callAndWait(
      a.conn.reducers.onRemovePlayer,
      a.conn.reducers.removeOnRemovePlayer,
      () => a.conn.reducers.removePlayer({ id }),
      'remove_player',
    );
    await until('the delete', () => (rows.length >= 3 ? true : undefined));
    expect(rows[2]).toEqual({
      kind: 'delete',
      event: 'Reducer',
      row: { id, team: 21, name: 'ann', score: 99n },
    });
    expect(a.conn.db.player.count()).toBe(0n);
    expect(rows).toHaveLength(3);
    a.conn.disconnect();
  });

  it('reports a failing reducer with its error message and changes nothing', async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 22');
    const rows = recordRows<Fixture.Player>(a.conn.db.player);
    const failed = await callAndWait(
      a.conn.reducers.onFail,
      a.conn.reducers.removeOnFail,
      () => a.conn.reducers.fail({ message: 'the answer is no' }),
      'fail',
    );
    expect(failed.ctx.event.status).toEqual({ tag: 'Failed', value: 'the answer is no' });
    expect(failed.args).toEqual({ message: 'the answer is no' });
    expect(failed.ctx.event.callerIdentity.toHexString()).toBe(alice.identity);
    const missing = await callAndWait(
      a.conn.reducers.onSetScore,
      a.conn.reducers.removeOnSetScore,
      () => a.conn.reducers.setScore({ id: 987654, score: 1n }),
      'set_score of a missing player',
    );
    expect(missing.ctx.event.status).toEqual({ tag: 'Failed', value: 'no such player' });
    await barrier(a.conn);
    expect(rows).toEqual([]);
    a.conn.disconnect();
  });

  it("shows a second connection the first one's changes, as reducer events with the caller's identity", async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await subscribed(b.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 23');
    const seen = recordRows<Fixture.Player>(b.conn.db.player);
    const reducerEvents: { caller: string; args: unknown }[] = [];
    b.conn.reducers.onAddPlayer((ctx, args) =>
      reducerEvents.push({ caller: ctx.event.callerIdentity.toHexString(), args }),
    );

    await addPlayer(a, 'bo', 23, 5n);
    await addPlayer(a, 'elsewhere', 24, 5n);
    await until('the insert on the second connection', () => (seen.length >= 1 ? true : undefined));
    await barrier(b.conn);
    expect(seen).toEqual([
      {
        kind: 'insert',
        event: 'Reducer',
        row: { id: expect.any(Number), team: 23, name: 'bo', score: 5n },
      },
    ]);
    // Only the transaction that touched its subscription reaches the second connection.
    expect(reducerEvents).toEqual([
      { caller: alice.identity, args: { name: 'bo', team: 23, score: 5n } },
    ]);
    expect([...b.conn.db.player.iter()].map(p => p.name)).toEqual(['bo']);
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('in light mode, gets other connections’ changes without reducer details', async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token, light: true });
    await subscribed(b.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 25');
    const seen = recordRows<Fixture.Player>(b.conn.db.player);
    let reducerEvents = 0;
    b.conn.reducers.onAddPlayer(() => reducerEvents++);
    await addPlayer(a, 'cy', 25, 1n);
    await until('the insert on the light connection', () => (seen.length >= 1 ? true : undefined));
    expect(seen[0]).toMatchObject({
      kind: 'insert',
      event: 'UnknownTransaction',
      row: { name: 'cy', team: 25 },
    });
    // Its own calls still come back in full.
    const own = await addPlayer(b, 'dee', 25, 2n);
    expect(own.ctx.event.status.tag).toBe('Committed');
    expect(reducerEvents).toBe(1);
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('honours NoSuccessNotify (setReducerFlags): no reducer event for a success that touches no subscribed row', async () => {
    const a = await connectFixture({ token: alice.token, confirmedReads: true });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 35');
    const seen = recordRows<Fixture.Player>(a.conn.db.player);
    const events: string[] = [];
    a.conn.reducers.onAddPlayer((ctx, args) =>
      events.push(`${ctx.event.status.tag} ${String(args.name)}`),
    );
    a.conn.setReducerFlags.addPlayer('NoSuccessNotify');
    a.conn.reducers.addPlayer({ name: 'unseen', team: 36, score: 0n });
    a.conn.reducers.addPlayer({ name: 'seen', team: 35, score: 0n });
    await until('the subscribed insert', () => (seen.length >= 1 ? true : undefined));
    await barrier(a.conn);
    expect(seen.map(e => [e.kind, e.row.name])).toEqual([['insert', 'seen']]);
    // The subscribed row arrives with its transaction's reducer event; the other success is silent.
    expect(events).toEqual(['Committed seen']);
    a.conn.setReducerFlags.addPlayer('FullUpdate');
    await addPlayer(a, 'heard', 36, 0n);
    expect(events).toEqual(['Committed seen', 'Committed heard']);
    a.conn.disconnect();
  });

  it('unsubscribes: the rows leave the cache (onDelete) and later changes are not sent', async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await addPlayer(a, 'eve', 26, 1n);
    await addPlayer(a, 'fay', 26, 2n);
    const handle = await subscribed(
      b.conn.subscriptionBuilder(),
      'SELECT * FROM player WHERE team = 26',
    );
    expect(b.conn.db.player.count()).toBe(2n);
    const seen = recordRows<Fixture.Player>(b.conn.db.player);
    let ended = false;
    await within<void>('UnsubscribeApplied', resolve =>
      handle.unsubscribeThen(() => {
        ended = true;
        resolve();
      }),
    );
    expect(ended).toBe(true);
    expect(handle.isEnded()).toBe(true);
    expect(handle.isActive()).toBe(false);
    expect(b.conn.db.player.count()).toBe(0n);
    expect(seen.map(e => [e.kind, e.event, e.row.name]).sort()).toEqual([
      ['delete', 'UnsubscribeApplied', 'eve'],
      ['delete', 'UnsubscribeApplied', 'fay'],
    ]);
    await addPlayer(a, 'gus', 26, 3n);
    await barrier(b.conn);
    expect(seen).toHaveLength(2);
    expect(b.conn.db.player.count()).toBe(0n);
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('keeps one cached row for overlapping queries and reference-counts it across their updates', async () => {
    const a = await connectFixture({ token: alice.token });
    const narrow = await subscribed(a.conn.subscriptionBuilder(), [
      'SELECT * FROM player WHERE team = 27',
      'SELECT * FROM player WHERE team >= 27 AND team <= 28',
    ]);
    const seen = recordRows<Fixture.Player>(a.conn.db.player);
    const added = await addPlayer(a, 'hal', 27, 1n);
    expect(added.ctx.event.status.tag).toBe('Committed');
    await until('the insert', () => (seen.length >= 1 ? true : undefined));
    await barrier(a.conn);
    expect(seen.map(e => e.kind)).toEqual(['insert']);
    expect(a.conn.db.player.count()).toBe(1n);
    const wide = await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player');
    const before = seen.length;
    await within<void>('UnsubscribeApplied', resolve => narrow.unsubscribeThen(() => resolve()));
    // Still in the third query: no delete.
    expect(seen.slice(before).filter(e => e.kind === 'delete')).toEqual([]);
    expect([...a.conn.db.player.iter()].some(p => p.name === 'hal')).toBe(true);
    wide.unsubscribe();
    await until('the cache to empty', () => (a.conn.db.player.count() === 0n ? true : undefined));
    a.conn.disconnect();
  });

  it("takes the SDK's typed query builder SQL (quoted names, qualified columns) and SELECT * FROM * (every public table)", async () => {
    const sql = Fixture.query.player.where(p => p.team.eq(29)).build();
    const a = await connectFixture({ token: alice.token });
    await addPlayer(a, 'ivy', 29, 4n);
    await addPlayer(a, 'jon', 30, 4n);
    const typed = await subscribed(a.conn.subscriptionBuilder(), sql as unknown as string);
    expect([...a.conn.db.player.iter()].map(p => p.name)).toEqual(['ivy']);
    typed.unsubscribe();
    await until('the cache to empty', () => (a.conn.db.player.count() === 0n ? true : undefined));

    const all = await connectFixture({ token: alice.token });
    await within<void>('SubscribeApplied for SELECT * FROM *', resolve => {
      all.conn
        .subscriptionBuilder()
        .onApplied(() => resolve())
        .subscribeToAllTables();
    });
    expect([...all.conn.db.player.iter()].some(p => p.name === 'jon')).toBe(true);
    expect(all.conn.db.team.id.find(11)).toEqual({ id: 11, name: 'red' });
    expect(all.conn.db.visit.who.find(Identity.fromString(alice.identity))).toMatchObject({
      connects: expect.any(Number),
    });
    a.conn.disconnect();
    all.conn.disconnect();
  });

  it('reports a query the server refuses through the subscription onError, with its message', async () => {
    const a = await connectFixture({ token: alice.token });
    const err = await subscriptionError(a.conn.subscriptionBuilder(), 'SELECT * FROM nosuchtable');
    expect(err.message).toMatch(/nosuchtable/);
    // The connection keeps working.
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM team WHERE id = 11');
    expect(a.conn.db.team.count()).toBe(1n);
    a.conn.disconnect();
  });

  for (const compression of ['gzip', 'none'] as const) {
    it(`decodes large updates with compression ${compression} (withCompression)`, async () => {
      const team = compression === 'gzip' ? 31 : 32;
      const a = await connectFixture({ token: alice.token, compression });
      const b = await connectFixture({ token: owner.token, compression });
      await subscribed(a.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      const seen = recordRows<Fixture.Player>(a.conn.db.player);
      const many = await callAndWait(
        a.conn.reducers.onAddMany,
        a.conn.reducers.removeOnAddMany,
        () => a.conn.reducers.addMany({ n: 40, team, len: 200 }),
        'add_many',
      );
      expect(many.ctx.event.status.tag).toBe('Committed');
      await until('40 inserts', () => (seen.length >= 40 ? true : undefined));
      expect(
        seen.every(
          e => e.kind === 'insert' && e.row.name === 'x'.repeat(200) && e.row.team === team,
        ),
      ).toBe(true);
      // The initial rows of a fresh subscription are as large.
      await subscribed(b.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      expect(b.conn.db.player.count()).toBe(40n);
      a.conn.disconnect();
      b.conn.disconnect();
    });
  }
});

describe('SELECT * FROM * (what subscribeToAllTables sends), over the legacy Subscribe too', () => {
  it('subscribes to every table the client may read: public ones, and the private ones for the owner', async () => {
    const tablesFor = async (token: string) => {
      const c = await openWs(server.url, 'wsfix', { token });
      expect((await c.next()).tag).toBe('IdentityToken');
      c.send({ tag: 'Subscribe', queryStrings: ['  select *\n from * '], requestId: 5 });
      const m = await c.next();
      c.close();
      if (m.tag !== 'InitialSubscription')
        throw new Error(`expected InitialSubscription, got ${m.tag}`);
      return m.databaseUpdate.tables.map(t => t.tableName).sort();
    };
    expect(await tablesFor(alice.token)).toEqual(['player', 'team', 'visit']);
    expect(await tablesFor(owner.token)).toEqual(['gate', 'player', 'secret', 'team', 'visit']);
  });
});

describe('official SDK: the server closing the connection', () => {
  it('reports onDisconnect when the module is replaced or the database deleted; a new connection works in between', async () => {
    const publish = (query = '') =>
      api.json('POST', `/v1/database/wsclose${query}`, {
        token: owner.token,
        body: moduleBytes('fixtures/ws'),
      });
    expect((await publish()).status).toBe(200);
    const a = await connectFixture({ token: alice.token, database: 'wsclose' });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player');
    expect((await publish('?clear=true')).status).toBe(200);
    expect(
      await within('onDisconnect after the update', resolve => void a.ended.then(resolve)),
    ).toBeUndefined();
    expect(a.conn.isActive).toBe(false);

    const b = await connectFixture({ token: alice.token, database: 'wsclose' });
    const added = await addPlayer(b, 'after', 1, 1n);
    expect(added.ctx.event.status.tag).toBe('Committed');
    expect((await api.json('DELETE', '/v1/database/wsclose', { token: owner.token })).status).toBe(
      200,
    );
    expect(
      await within('onDisconnect after the delete', resolve => void b.ended.then(resolve)),
    ).toBeUndefined();
    expect(b.conn.isActive).toBe(false);
  });
});

describe('official SDK: chat module (Identity primary key, options, timestamps, lifecycle reducers)', () => {
  it('follows users and messages across connections, with onUpdate on the Identity key', async () => {
    const watcher = await connectChat({ token: owner.token });
    await subscribed(watcher.conn.subscriptionBuilder(), [
      'SELECT * FROM user',
      'SELECT * FROM message',
    ]);
    // client_connected inserted the watcher itself before IdentityToken.
    expect(watcher.conn.db.user.identity.find(watcher.identity)).toEqual({
      identity: watcher.identity,
      name: undefined,
      online: true,
    });
    const users = recordRows<Chat.User>(watcher.conn.db.user);
    const messages = recordRows<Chat.Message>(watcher.conn.db.message);

    const guest = await connectChat();
    const joined = await until('the guest to come online', () =>
      users.find(e => e.kind === 'insert' && e.row.identity.isEqual(guest.identity)),
    );
    expect(joined).toEqual({
      kind: 'insert',
      event: 'UnknownTransaction',
      row: { identity: guest.identity, name: undefined, online: true },
    });

    const named = await callAndWait(
      guest.conn.reducers.onSetName,
      guest.conn.reducers.removeOnSetName,
      () => guest.conn.reducers.setName({ name: 'bob' }),
      'set_name',
    );
    expect(named.ctx.event.status.tag).toBe('Committed');
    const renamed = await until('the rename', () => users.find(e => e.kind === 'update'));
    expect(renamed).toEqual({
      kind: 'update',
      event: 'Reducer',
      old: { identity: guest.identity, name: undefined, online: true },
      row: { identity: guest.identity, name: 'bob', online: true },
    });

    const refused = await callAndWait(
      guest.conn.reducers.onSetName,
      guest.conn.reducers.removeOnSetName,
      () => guest.conn.reducers.setName({ name: '' }),
      'set_name with an empty name',
    );
    expect(refused.ctx.event.status).toEqual({ tag: 'Failed', value: 'Names must not be empty' });

    const before = BigInt(Date.now()) * 1000n;
    guest.conn.reducers.sendMessage({ text: 'hello from the official SDK' });
    const posted = await until('the message', () => messages.find(e => e.kind === 'insert'));
    expect(posted.event).toBe('Reducer');
    expect(posted.row.text).toBe('hello from the official SDK');
    expect(posted.row.sender.isEqual(guest.identity)).toBe(true);
    expect(posted.row.sent.microsSinceUnixEpoch).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect([...watcher.conn.db.message.sender.filter(guest.identity)].map(m => m.text)).toEqual([
      'hello from the official SDK',
    ]);

    guest.conn.disconnect();
    expect(await within('onDisconnect', resolve => void guest.ended.then(resolve))).toBeUndefined();
    expect(guest.conn.isActive).toBe(false);
    // client_disconnected ran on the server: the guest went offline.
    const offline = await until('the guest to go offline', () =>
      users.find(e => e.kind === 'update' && !e.row.online),
    );
    expect(offline).toMatchObject({
      old: { name: 'bob', online: true },
      row: { identity: guest.identity, name: 'bob', online: false },
    });
    watcher.conn.disconnect();
  });

  it('closes cleanly from the client side: onDisconnect without an error, client_disconnected runs once', async () => {
    const visitor = await api.newIdentity();
    const watcher = await connectFixture({ token: owner.token });
    await subscribed(watcher.conn.subscriptionBuilder(), 'SELECT * FROM visit');
    const visits = recordRows<Fixture.Visit>(watcher.conn.db.visit);
    const mine = () => visits.filter(e => e.row.who.toHexString() === visitor.identity);
    const v = await connectFixture({ token: visitor.token });
    await until('the visit row', () => (mine().length >= 1 ? true : undefined));
    v.conn.disconnect();
    expect(await within('onDisconnect', resolve => void v.ended.then(resolve))).toBeUndefined();
    expect(v.conn.isActive).toBe(false);
    await until('the disconnect count', () => (mine().length >= 2 ? true : undefined));
    await barrier(watcher.conn);
    const who = Identity.fromString(visitor.identity);
    expect(mine()).toEqual([
      { kind: 'insert', event: 'UnknownTransaction', row: { who, connects: 1, disconnects: 0 } },
      {
        kind: 'update',
        event: 'UnknownTransaction',
        old: { who, connects: 1, disconnects: 0 },
        row: { who, connects: 1, disconnects: 1 },
      },
    ]);
    watcher.conn.disconnect();
  });
});
