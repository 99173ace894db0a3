/**
 * @module
 * Conformance with a client we did not write: the official SpacetimeDB TypeScript SDK 1.x (npm
 * `spacetimedb` 1.12, protocol `v1.bsatn.spacetimedb`) against a real server, through bindings
 * written by hand for the ws fixture (primary keys: inserts, updates, deletes) and the chat module
 * (Identity keys, options, timestamps). On Node 20 the SDK loads its WebSocket from `undici`.
 *
 * The SDK 2.x suite (`official-sdk-v2.test.ts`) runs the same scenarios where the APIs allow; the
 * steps both use are in `official-sdk-helpers.ts`. What is 1.x only stays here: reducer callbacks
 * with the caller's arguments, light mode, `setReducerFlags`, `SELECT * FROM *`.
 *
 * The SDK's declaration files only partly resolve under NodeNext (see `sdk-bindings/sdk.ts`): its
 * reducer accessors come out as template-literal index signatures, which
 * `noUncheckedIndexedAccess` reads as possibly undefined, so they are taken through `defined`.
 */
import { describe, expect, it } from 'vitest';
import { openWs } from '../helpers/ws-client.js';
import {
  addRedAndBlue,
  barrier,
  checkAnonymousConnect,
  checkGuestLeaves,
  checkInitialTeams,
  checkTokenConnect,
  checkUnsubscribeDrops,
  checkVisitLifecycle,
  deleteDatabase,
  defined,
  disconnected,
  nowMicros,
  opened,
  publishFixture,
  recordRequests,
  recordRows,
  startTestbed,
  subscribed,
  subscriptionError,
  unsubscribed,
  until,
  within,
  type Opened,
} from './official-sdk-helpers.js';
import * as Chat from './sdk-bindings/chat/index.js';
import { Identity } from './sdk-bindings/sdk.js';
import * as Fixture from './sdk-bindings/ws-fixture/index.js';

/** Every HTTP request the process makes (the SDK's token exchange included). */
const requests = recordRequests();
const bed = await startTestbed();
const { server, owner, alice, published } = bed;

interface ConnectOptions {
  readonly token?: string;
  readonly compression?: 'gzip' | 'none';
  readonly light?: boolean;
  readonly confirmedReads?: boolean;
  readonly database?: string;
}

function connectFixture(
  options: ConnectOptions = {},
): Promise<Opened<Fixture.DbConnection, Identity>> {
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

function connectChat(options: ConnectOptions = {}): Promise<Opened<Chat.DbConnection, Identity>> {
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

/** Calls a reducer through the SDK and resolves with the reducer event the caller receives. */
function callAndWait<Ctx, Args>(
  on: ((cb: (ctx: Ctx, args: Args) => void) => void) | undefined,
  off: ((cb: (ctx: Ctx, args: Args) => void) => void) | undefined,
  call: () => void,
  what: string,
): Promise<{ ctx: Ctx; args: Args }> {
  const register = defined(on, `the reducer callback registration for ${what}`);
  const unregister = defined(off, `the reducer callback removal for ${what}`);
  return within(`reducer event for ${what}`, resolve => {
    const cb = (ctx: Ctx, args: Args) => {
      unregister(cb);
      resolve({ ctx, args });
    };
    register(cb);
    call();
  });
}

function addPlayer(
  opened: Opened<Fixture.DbConnection, Identity>,
  name: string,
  team: number,
  score: bigint,
) {
  const { conn } = opened;
  return callAndWait(
    conn.reducers.onAddPlayer,
    conn.reducers.removeOnAddPlayer,
    () => defined(conn.reducers.addPlayer, 'addPlayer')({ name, team, score }),
    `add_player(${name})`,
  );
}

describe('official SDK: connecting', () => {
  it('publishes the modules the bindings describe', () => {
    expect(published).toEqual({ wsfix: 200, chat: 200 });
  });

  it('exchanges the token at /v1/identity/websocket-token; its identity and token', async () => {
    const before = requests.length;
    const a = await connectFixture({ token: alice.token });
    checkTokenConnect(bed, requests, before, a, alice);
    a.conn.disconnect();
    expect(await disconnected(a)).toBeUndefined();
  });

  it('connects without a token, then again with its token as the same identity', async () => {
    // A new identity, with a token the server accepts.
    const before = requests.length;
    const anon = await connectFixture();
    const hex = await checkAnonymousConnect(bed, requests, before, anon);
    anon.conn.disconnect();
    const again = await connectFixture({ token: anon.token });
    expect(again.identity.toHexString()).toBe(hex);
    again.conn.disconnect();
  });

  it('reports a refused upgrade (unknown database) through onConnectError only', async () => {
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

  it('fails to connect with a token the server refuses at the token exchange', async () => {
    await expect(connectFixture({ token: 'not-a-token' })).rejects.toThrow(
      /Failed to verify token/,
    );
  });
});

describe('official SDK: subscriptions and row callbacks (ws fixture)', () => {
  it('applies a subscription with its initial rows: onInsert each, unique lookups', async () => {
    await addRedAndBlue(bed);
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
    await checkInitialTeams(handle, applied, a.conn.db.team, teams);
    a.conn.disconnect();
  });

  it('calls reducers: reducer event, onInsert, onUpdate, onDelete, the right rows', async () => {
    // onUpdate fires for a change under the same primary key.
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
    const now = nowMicros();
    expect(event.timestamp.microsSinceUnixEpoch).toBeGreaterThan(now - 60_000_000n);
    expect(event.timestamp.microsSinceUnixEpoch).toBeLessThanOrEqual(now + 1_000_000n);

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
      () => defined(a.conn.reducers.setScore, 'setScore')({ id, score: 99n }),
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
      () => defined(a.conn.reducers.removePlayer, 'removePlayer')({ id }),
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
      () => defined(a.conn.reducers.fail, 'fail')({ message: 'the answer is no' }),
      'fail',
    );
    expect(failed.ctx.event.status).toEqual({ tag: 'Failed', value: 'the answer is no' });
    expect(failed.args).toEqual({ message: 'the answer is no' });
    expect(failed.ctx.event.callerIdentity.toHexString()).toBe(alice.identity);
    const missing = await callAndWait(
      a.conn.reducers.onSetScore,
      a.conn.reducers.removeOnSetScore,
      () => defined(a.conn.reducers.setScore, 'setScore')({ id: 987654, score: 1n }),
      'set_score of a missing player',
    );
    expect(missing.ctx.event.status).toEqual({ tag: 'Failed', value: 'no such player' });
    await barrier(a.conn);
    expect(rows).toEqual([]);
    a.conn.disconnect();
  });

  it("shows another connection's changes as reducer events with the caller", async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await subscribed(b.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 23');
    const seen = recordRows<Fixture.Player>(b.conn.db.player);
    const reducerEvents: { caller: string; args: unknown }[] = [];
    const onAddPlayer = defined(b.conn.reducers.onAddPlayer, 'onAddPlayer');
    onAddPlayer((ctx, args) =>
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
    defined(b.conn.reducers.onAddPlayer, 'onAddPlayer')(() => reducerEvents++);
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

  it('honours NoSuccessNotify: no event for a success touching no subscribed row', async () => {
    // The flag is set with setReducerFlags.
    const a = await connectFixture({ token: alice.token, confirmedReads: true });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 35');
    const seen = recordRows<Fixture.Player>(a.conn.db.player);
    const events: string[] = [];
    const onAddPlayer = defined(a.conn.reducers.onAddPlayer, 'onAddPlayer');
    onAddPlayer((ctx, args) => events.push(`${ctx.event.status.tag} ${String(args.name)}`));
    const flags = defined(a.conn.setReducerFlags.addPlayer, 'setReducerFlags.addPlayer');
    const call = defined(a.conn.reducers.addPlayer, 'addPlayer');
    flags('NoSuccessNotify');
    call({ name: 'unseen', team: 36, score: 0n });
    call({ name: 'seen', team: 35, score: 0n });
    await until('the subscribed insert', () => (seen.length >= 1 ? true : undefined));
    await barrier(a.conn);
    expect(seen.map(e => [e.kind, e.row.name])).toEqual([['insert', 'seen']]);
    // The subscribed row arrives with its transaction's reducer event; the other success is silent.
    expect(events).toEqual(['Committed seen']);
    flags('FullUpdate');
    await addPlayer(a, 'heard', 36, 0n);
    expect(events).toEqual(['Committed seen', 'Committed heard']);
    a.conn.disconnect();
  });

  it('unsubscribes: the rows leave the cache (onDelete), later changes not sent', async () => {
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
    await checkUnsubscribeDrops(handle, b.conn, b.conn.db.player, seen, () =>
      addPlayer(a, 'gus', 26, 3n),
    );
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('keeps one cached row for overlapping queries, refcounted across their updates', async () => {
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
    await unsubscribed(narrow);
    // Still in the third query: no delete.
    expect(seen.slice(before).filter(e => e.kind === 'delete')).toEqual([]);
    expect([...a.conn.db.player.iter()].some(p => p.name === 'hal')).toBe(true);
    wide.unsubscribe();
    await until('the cache to empty', () => (a.conn.db.player.count() === 0n ? true : undefined));
    a.conn.disconnect();
  });

  it("takes the typed query builder's SQL and SELECT * FROM * (every public table)", async () => {
    // The builder's SQL has quoted names and qualified columns.
    const query = defined(Fixture.query.player, 'query.player')
      .where(p => defined(p.team, 'the team column').eq(29))
      .build();
    const a = await connectFixture({ token: alice.token });
    await addPlayer(a, 'ivy', 29, 4n);
    await addPlayer(a, 'jon', 30, 4n);
    const typed = await within<Fixture.SubscriptionHandle>('SubscribeApplied (typed)', resolve => {
      const h = a.conn
        .subscriptionBuilder()
        .onApplied(() => resolve(h))
        .subscribe(query);
    });
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

  it('reports a refused query through the subscription onError, with its message', async () => {
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
        () => defined(a.conn.reducers.addMany, 'addMany')({ n: 40, team, len: 200 }),
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
  it('subscribes to every table the client may read (private ones for the owner)', async () => {
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
  it('reports onDisconnect when the module is replaced and when the database goes', async () => {
    // A new connection works in between.
    expect(await publishFixture(bed, 'wsclose')).toBe(200);
    const a = await connectFixture({ token: alice.token, database: 'wsclose' });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player');
    expect(await publishFixture(bed, 'wsclose', '?clear=true')).toBe(200);
    expect(await disconnected(a, 'onDisconnect after the update')).toBeUndefined();
    expect(a.conn.isActive).toBe(false);

    const b = await connectFixture({ token: alice.token, database: 'wsclose' });
    const added = await addPlayer(b, 'after', 1, 1n);
    expect(added.ctx.event.status.tag).toBe('Committed');
    expect(await deleteDatabase(bed, 'wsclose')).toBe(200);
    expect(await disconnected(b, 'onDisconnect after the delete')).toBeUndefined();
    expect(b.conn.isActive).toBe(false);
  });
});

describe('official SDK: chat (Identity key, options, timestamps, lifecycle reducers)', () => {
  it('follows users and messages across connections, onUpdate on the Identity key', async () => {
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
      () => defined(guest.conn.reducers.setName, 'setName')({ name: 'bob' }),
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
      () => defined(guest.conn.reducers.setName, 'setName')({ name: '' }),
      'set_name with an empty name',
    );
    expect(refused.ctx.event.status).toEqual({ tag: 'Failed', value: 'Names must not be empty' });

    const before = nowMicros();
    const sendMessage = defined(guest.conn.reducers.sendMessage, 'sendMessage');
    sendMessage({ text: 'hello from the official SDK' });
    const posted = await until('the message', () => messages.find(e => e.kind === 'insert'));
    expect(posted.event).toBe('Reducer');
    expect(posted.row.text).toBe('hello from the official SDK');
    expect(posted.row.sender.isEqual(guest.identity)).toBe(true);
    expect(posted.row.sent.microsSinceUnixEpoch).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect([...watcher.conn.db.message.sender.filter(guest.identity)].map(m => m.text)).toEqual([
      'hello from the official SDK',
    ]);

    await checkGuestLeaves(guest, users);
    watcher.conn.disconnect();
  });

  it('closes cleanly from the client: no error, client_disconnected runs once', () =>
    checkVisitLifecycle(bed, {
      connect: token => connectFixture({ token }),
      visitTable: conn => conn.db.visit,
      fromHex: hex => Identity.fromString(hex),
      event: 'UnknownTransaction',
    }));
});
