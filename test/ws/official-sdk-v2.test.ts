/**
 * @module
 * Conformance with the official SpacetimeDB TypeScript SDK 2.x (npm `spacetimedb@2.10.1`, here
 * the alias `spacetimedb2`), which offers only `v3.bsatn.spacetimedb` and `v2.bsatn.spacetimedb`,
 * against a real server, through the hand-written 2.x bindings in `sdk-bindings-v2/` for the ws
 * fixture and the chat module. On Node 20 the SDK loads its WebSocket from `undici`.
 *
 * The scenarios follow the 1.x suite (`official-sdk.test.ts`, shared steps in
 * `official-sdk-helpers.ts`) where the APIs allow. What 2.x changes is checked as 2.x defines it
 * (`src/sdk/db_connection_impl.ts` of the SDK): a reducer call is a promise that settles on its
 * `ReducerResult`, with the caller's rows already applied when it resolves; a failure rejects
 * with a `SenderError` carrying the module's message; the caller's own rows come once, inside
 * its `ReducerResult` (row callbacks see a `Reducer` event), while other connections get a
 * `TransactionUpdate` without reducer details (a `Transaction` event); unsubscribing asks for the
 * dropped rows; `subscribeToAllTables` sends one `SELECT * FROM <table>` per table it knows.
 */
import { describe, expect, it, vi } from 'vitest';
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
  rejection,
  settled,
  startTestbed,
  subscribed,
  subscriptionError,
  unsubscribed,
  until,
  within,
  type Opened,
} from './official-sdk-helpers.js';
import * as Chat from './sdk-bindings-v2/chat/index.js';
import {
  getGlobalLogLevel,
  Identity,
  SenderError,
  setGlobalLogLevel,
} from './sdk-bindings-v2/sdk.js';
import * as Fixture from './sdk-bindings-v2/ws-fixture/index.js';

/** Every HTTP request the process makes (the SDK's token exchange included). */
const requests = recordRequests();
const bed = await startTestbed();
const { server, owner, alice, published, httpCall } = bed;

interface ConnectOptions {
  readonly token?: string;
  readonly compression?: 'gzip' | 'none';
  readonly confirmedReads?: boolean;
  readonly database?: string;
}

type FixtureConn = Opened<Fixture.DbConnection, Identity>;
type ChatConn = Opened<Chat.DbConnection, Identity>;

function connectFixture(options: ConnectOptions = {}): Promise<FixtureConn> {
  const database = options.database ?? 'wsfix';
  return opened(database, h => {
    let b = Fixture.DbConnection.builder().withUri(server.url).withDatabaseName(database);
    if (options.token !== undefined) b = b.withToken(options.token);
    if (options.compression !== undefined) b = b.withCompression(options.compression);
    if (options.confirmedReads !== undefined) b = b.withConfirmedReads(options.confirmedReads);
    b.onConnect((conn, identity: Identity, token: string) => h.connect(conn, identity, token))
      .onConnectError((_ctx, err) => h.error(err))
      .onDisconnect((_ctx, err) => h.disconnect(err))
      .build();
  });
}

function connectChat(options: ConnectOptions = {}): Promise<ChatConn> {
  return opened('chat', h => {
    let b = Chat.DbConnection.builder().withUri(server.url).withDatabaseName('chat');
    if (options.token !== undefined) b = b.withToken(options.token);
    b.onConnect((conn, identity: Identity, token: string) => h.connect(conn, identity, token))
      .onConnectError((_ctx, err) => h.error(err))
      .onDisconnect((_ctx, err) => h.disconnect(err))
      .build();
  });
}

/** Calls `add_player` through the SDK and waits (bounded) for its `ReducerResult`. */
function addPlayer(c: FixtureConn, name: string, team: number, score: bigint): Promise<void> {
  return settled(`add_player(${name})`, c.conn.reducers.addPlayer({ name, team, score }));
}

/** Every row event of `player` on `c` with the reducer details 2.x attaches to the caller's. */
function recordPlayerEvents(c: FixtureConn) {
  const events: { kind: string; event: string; reducer?: string; args?: object; at?: bigint }[] =
    [];
  const push = (kind: string, ctx: Fixture.EventContext) => {
    const e = ctx.event;
    if (e.tag !== 'Reducer') return events.push({ kind, event: e.tag });
    return events.push({
      kind,
      event: e.tag,
      reducer: e.value.reducer.name,
      args: e.value.reducer.args,
      at: e.value.timestamp.microsSinceUnixEpoch,
    });
  };
  c.conn.db.player.onInsert(ctx => push('insert', ctx));
  c.conn.db.player.onUpdate(ctx => push('update', ctx));
  c.conn.db.player.onDelete(ctx => push('delete', ctx));
  return events;
}

/** The only row `player` holds on `c` for `team` (fails on none or several). */
function onlyPlayerOf(c: FixtureConn, team: number): Fixture.Player {
  const rows = [...c.conn.db.player.team.filter(team)];
  expect(rows).toHaveLength(1);
  return defined(rows[0], `the player of team ${team}`);
}

describe('official SDK 2.x: connecting', () => {
  it('publishes the modules the bindings describe', () => {
    expect(published).toEqual({ wsfix: 200, chat: 200 });
  });

  it('exchanges the token at /v1/identity/websocket-token; identity, token, conn id', async () => {
    // Reports the given token's identity, the token itself and a connection id the server chose.
    const before = requests.length;
    const a = await connectFixture({ token: alice.token });
    checkTokenConnect(bed, requests, before, a, alice);
    a.conn.disconnect();
    expect(await disconnected(a)).toBeUndefined();
    expect(a.conn.isActive).toBe(false);
  });

  it('negotiates v3.bsatn.spacetimedb: the SDK reads server payloads as v3 frames', async () => {
    // The SDK logs, at trace level, how it decoded each payload (`#processMessage`).
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
    const level = getGlobalLogLevel();
    setGlobalLogLevel('trace');
    try {
      const a = await connectFixture({ token: alice.token });
      await barrier(a.conn);
      a.conn.disconnect();
    } finally {
      setGlobalLogLevel(level);
      spy.mockRestore();
    }
    expect(logged.some(l => /Processing server v3 payload with \d+ message/.test(l))).toBe(true);
    expect(logged.some(l => /Unexpected websocket subprotocol/.test(l))).toBe(false);
  });

  it('connects without a token, then again with its token as the same identity', async () => {
    // A new identity, with a token the server accepts.
    const before = requests.length;
    const anon = await connectFixture();
    const hex = await checkAnonymousConnect(bed, requests, before, anon);
    anon.conn.disconnect();
    await disconnected(anon);
    const again = await connectFixture({ token: anon.token });
    expect(again.identity.toHexString()).toBe(hex);
    expect(again.token).toBe(anon.token);
    // A new connection gets a new connection id.
    expect(again.conn.connectionId.toHexString()).not.toBe(anon.conn.connectionId.toHexString());
    again.conn.disconnect();
  });

  it('reports a refused upgrade (unknown database) through onConnectError only', async () => {
    let connected = false;
    const err = await within<unknown>('onConnectError', resolve => {
      Fixture.DbConnection.builder()
        .withUri(server.url)
        .withDatabaseName('nosuchdb')
        .withToken(alice.token)
        .onConnect(() => (connected = true))
        .onConnectError((_ctx, e) => resolve(e))
        .build();
    });
    expect(connected).toBe(false);
    expect(err).toBeInstanceOf(Error);
  });

  it('fails to connect with a token the server refuses at the token exchange', async () => {
    await expect(connectFixture({ token: 'not-a-token' })).rejects.toThrow(
      /Failed to verify token/,
    );
  });
});

describe('official SDK 2.x: subscriptions, reducer calls and row callbacks (ws fixture)', () => {
  it('applies a subscription with its initial rows: onInsert each, index lookups', async () => {
    await addRedAndBlue(bed);
    const a = await connectFixture({ token: alice.token });
    const teams = recordRows(a.conn.db.team);
    let applied = -1n;
    const handle = await within<Fixture.SubscriptionHandle>('SubscribeApplied', resolve => {
      const h = a.conn
        .subscriptionBuilder()
        .onApplied(() => {
          applied = a.conn.db.team.count();
          resolve(h);
        })
        .subscribe('SELECT * FROM team WHERE id >= 11 AND id <= 12');
    });
    await checkInitialTeams(handle, applied, a.conn.db.team, teams);
    a.conn.disconnect();
  });

  it('resolves a call on its ReducerResult, rows applied: insert, update, delete', async () => {
    // onInsert, onUpdate (same primary key) and onDelete have run when each promise resolves.
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 21');
    const events = recordPlayerEvents(a);

    const before = nowMicros();
    await addPlayer(a, 'ann', 21, 10n);
    // No waiting: the ReducerResult carried the row and its callbacks ran before the promise.
    const ann = onlyPlayerOf(a, 21);
    expect(ann).toMatchObject({ team: 21, name: 'ann', score: 10n });
    expect(ann.id).toBeGreaterThan(0);
    expect(a.conn.db.player.id.find(ann.id)).toEqual(ann);
    expect(events).toEqual([
      {
        kind: 'insert',
        event: 'Reducer',
        reducer: 'add_player',
        args: { name: 'ann', team: 21, score: 10n },
        at: expect.any(BigInt),
      },
    ]);
    const at = defined(events[0]?.at, 'the reducer timestamp');
    expect(at).toBeGreaterThan(before - 60_000_000n);
    expect(at).toBeLessThanOrEqual(nowMicros() + 1_000_000n);

    await settled('set_score', a.conn.reducers.setScore({ id: ann.id, score: 99n }));
    expect(a.conn.db.player.id.find(ann.id)).toEqual({ ...ann, score: 99n });
    expect(events.slice(1)).toMatchObject([{ kind: 'update', event: 'Reducer' }]);

    await settled('remove_player', a.conn.reducers.removePlayer({ id: ann.id }));
    expect(a.conn.db.player.count()).toBe(0n);
    expect(events.slice(2)).toMatchObject([{ kind: 'delete', event: 'Reducer' }]);
    a.conn.disconnect();
  });

  it('passes the old and new row to onUpdate', async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 37');
    const rows = recordRows(a.conn.db.player);
    await addPlayer(a, 'una', 37, 1n);
    const una = onlyPlayerOf(a, 37);
    await settled('set_score', a.conn.reducers.setScore({ id: una.id, score: 2n }));
    expect(rows).toEqual([
      { kind: 'insert', event: 'Reducer', row: una },
      { kind: 'update', event: 'Reducer', old: una, row: { ...una, score: 2n } },
    ]);
    a.conn.disconnect();
  });

  it("delivers the caller's own changes once, in its ReducerResult, not twice", async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 38');
    await subscribed(b.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 38');
    const mine = recordRows(a.conn.db.player);
    const theirs = recordRows(b.conn.db.player);
    await addPlayer(a, 'once', 38, 1n);
    const row = onlyPlayerOf(a, 38);
    await settled('set_score', a.conn.reducers.setScore({ id: row.id, score: 5n }));
    await settled('remove_player', a.conn.reducers.removePlayer({ id: row.id }));
    await barrier(a.conn);
    await until('the delete on the other connection', () =>
      theirs.some(e => e.kind === 'delete') ? true : undefined,
    );
    await barrier(b.conn);
    const kinds = (events: typeof mine) => events.map(e => [e.kind, e.event]);
    // A second copy would show as a second callback, or (refcounted) leave the row in the cache.
    expect(kinds(mine)).toEqual([
      ['insert', 'Reducer'],
      ['update', 'Reducer'],
      ['delete', 'Reducer'],
    ]);
    expect(a.conn.db.player.count()).toBe(0n);
    expect(kinds(theirs)).toEqual([
      ['insert', 'Transaction'],
      ['update', 'Transaction'],
      ['delete', 'Transaction'],
    ]);
    expect(b.conn.db.player.count()).toBe(0n);
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it("rejects a failing call with a SenderError with the module's message; no change", async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 22');
    const rows = recordRows(a.conn.db.player);
    const failed = await rejection('fail', a.conn.reducers.fail({ message: 'the answer is no' }));
    expect(failed).toBeInstanceOf(SenderError);
    expect(failed).toMatchObject({ name: 'SenderError', message: 'the answer is no' });
    const missing = await rejection(
      'set_score of a missing player',
      a.conn.reducers.setScore({ id: 987654, score: 1n }),
    );
    expect(missing).toBeInstanceOf(SenderError);
    expect(missing).toMatchObject({ message: 'no such player' });
    // The connection keeps working after a failure.
    await addPlayer(a, 'after-failure', 22, 0n);
    await barrier(a.conn);
    expect(rows.map(e => [e.kind, e.row.name])).toEqual([['insert', 'after-failure']]);
    a.conn.disconnect();
  });

  it('resolves a call whose rows no subscription covers, leaving the cache as it was', async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 39');
    const rows = recordRows(a.conn.db.player);
    await addPlayer(a, 'unseen', 40, 0n);
    await barrier(a.conn);
    expect(rows).toEqual([]);
    expect(a.conn.db.player.count()).toBe(0n);
    a.conn.disconnect();
  });

  it("shows another connection's changes as Transaction events, only those it covers", async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await subscribed(b.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 23');
    const seen = recordRows(b.conn.db.player);
    await addPlayer(a, 'bo', 23, 5n);
    await addPlayer(a, 'elsewhere', 24, 5n);
    await until('the insert on the second connection', () => (seen.length >= 1 ? true : undefined));
    await barrier(b.conn);
    expect(seen).toEqual([
      {
        kind: 'insert',
        event: 'Transaction',
        row: { id: expect.any(Number), team: 23, name: 'bo', score: 5n },
      },
    ]);
    expect([...b.conn.db.player.iter()].map(p => p.name)).toEqual(['bo']);
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('answers many calls sent in one tick (one v3 frame), each promise on its result', async () => {
    const a = await connectFixture({ token: alice.token });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player WHERE team = 41');
    const rows = recordRows(a.conn.db.player);
    const names = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const calls = names.map(name => a.conn.reducers.addPlayer({ name, team: 41, score: 0n }));
    const failing = a.conn.reducers.fail({ message: 'one of many' });
    await settled('25 add_player calls', Promise.all(calls));
    expect(await rejection('the failing call among them', failing)).toMatchObject({
      message: 'one of many',
    });
    expect(rows.map(e => [e.kind, e.event])).toEqual(names.map(() => ['insert', 'Reducer']));
    expect(rows.map(e => e.row.name).sort()).toEqual([...names].sort());
    expect(new Set(rows.map(e => e.row.id)).size).toBe(25);
    a.conn.disconnect();
  });

  it('unsubscribes: dropped rows leave the cache (onDelete), later changes not sent', async () => {
    const a = await connectFixture({ token: alice.token });
    const b = await connectFixture({ token: owner.token });
    await addPlayer(a, 'eve', 26, 1n);
    await addPlayer(a, 'fay', 26, 2n);
    const handle = await subscribed(
      b.conn.subscriptionBuilder(),
      'SELECT * FROM player WHERE team = 26',
    );
    expect(b.conn.db.player.count()).toBe(2n);
    const seen = recordRows(b.conn.db.player);
    await checkUnsubscribeDrops(handle, b.conn, b.conn.db.player, seen, () =>
      addPlayer(a, 'gus', 26, 3n),
    );
    a.conn.disconnect();
    b.conn.disconnect();
  });

  it('keeps one cached row for overlapping queries, refcounted across unsubscribes', async () => {
    const a = await connectFixture({ token: alice.token });
    const narrow = await subscribed(a.conn.subscriptionBuilder(), [
      'SELECT * FROM player WHERE team = 27',
      'SELECT * FROM player WHERE team >= 27 AND team <= 28',
    ]);
    const seen = recordRows(a.conn.db.player);
    await addPlayer(a, 'hal', 27, 1n);
    expect(seen.map(e => [e.kind, e.event])).toEqual([['insert', 'Reducer']]);
    expect(a.conn.db.player.count()).toBe(1n);
    const wide = await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player');
    const before = seen.length;
    await unsubscribed(narrow);
    // Still in the third query: no delete.
    expect(seen.slice(before).filter(e => e.kind === 'delete')).toEqual([]);
    expect([...a.conn.db.player.iter()].some(p => p.name === 'hal')).toBe(true);
    await unsubscribed(wide);
    expect(a.conn.db.player.count()).toBe(0n);
    a.conn.disconnect();
  });
});

describe('official SDK 2.x: the query builder and subscribeToAllTables', () => {
  it('takes the typed query builder, as a query and as a function of the tables', async () => {
    // Its SQL has quoted names and qualified columns.
    const players = defined(Fixture.tables.player, 'tables.player');
    const query = players.where(p => defined(p.team, 'the team column').eq(29));
    expect(query.toSql()).toBe('SELECT * FROM "player" WHERE "player"."team" = 29');
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
    await unsubscribed(typed);
    expect(a.conn.db.player.count()).toBe(0n);

    const both = await within<Fixture.SubscriptionHandle>('SubscribeApplied (fn)', resolve => {
      const h = a.conn
        .subscriptionBuilder()
        .onApplied(() => resolve(h))
        .subscribe((tables: typeof Fixture.tables) => [
          defined(tables.player, 'player').where(p => defined(p.team, 'team').eq(30)),
          defined(tables.team, 'team').where(t => defined(t.id, 'id').eq(11)),
        ]);
    });
    expect([...a.conn.db.player.iter()].map(p => p.name)).toEqual(['jon']);
    expect([...a.conn.db.team.iter()]).toEqual([{ id: 11, name: 'red' }]);
    await unsubscribed(both);
    a.conn.disconnect();
  });

  it('subscribes to every table of the bindings with subscribeToAllTables', async () => {
    const all = await connectFixture({ token: alice.token });
    await within<void>('SubscribeApplied for subscribeToAllTables', resolve => {
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
    // Live afterwards: a new row arrives.
    const teams = recordRows(all.conn.db.team);
    expect(await httpCall('wsfix', 'add_team', [13, 'green'])).toBe(200);
    await until('the new team', () => teams.find(e => e.kind === 'insert'));
    expect(teams).toEqual([
      { kind: 'insert', event: 'Transaction', row: { id: 13, name: 'green' } },
    ]);
    all.conn.disconnect();
  });

  it("reports a refused query through the subscription's onError; connection stays", async () => {
    const a = await connectFixture({ token: alice.token });
    const err = await subscriptionError(a.conn.subscriptionBuilder(), 'SELECT * FROM nosuchtable');
    expect(err.message).toMatch(/nosuchtable/);
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM team WHERE id = 11');
    expect(a.conn.db.team.count()).toBe(1n);
    expect(a.conn.isActive).toBe(true);
    a.conn.disconnect();
  });
});

describe('official SDK 2.x: compression and confirmed reads', () => {
  for (const compression of ['gzip', 'none'] as const) {
    it(`decodes large results and initial rows with compression ${compression}`, async () => {
      const team = compression === 'gzip' ? 31 : 32;
      const a = await connectFixture({ token: alice.token, compression });
      const b = await connectFixture({ token: owner.token, compression });
      await subscribed(a.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      const seen = recordRows(a.conn.db.player);
      await settled('add_many', a.conn.reducers.addMany({ n: 40, team, len: 200 }));
      expect(seen).toHaveLength(40);
      expect(
        seen.every(
          e => e.kind === 'insert' && e.row.name === 'x'.repeat(200) && e.row.team === team,
        ),
      ).toBe(true);
      await subscribed(b.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      expect(b.conn.db.player.count()).toBe(40n);
      a.conn.disconnect();
      b.conn.disconnect();
    });
  }

  for (const confirmedReads of [true, false]) {
    it(`serves a connection with confirmed reads ${confirmedReads ? 'on' : 'off'}`, async () => {
      const team = confirmedReads ? 33 : 34;
      const a = await connectFixture({ token: alice.token, confirmedReads });
      const b = await connectFixture({ token: owner.token, confirmedReads });
      await subscribed(a.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      await subscribed(b.conn.subscriptionBuilder(), `SELECT * FROM player WHERE team = ${team}`);
      const seen = recordRows(b.conn.db.player);
      await addPlayer(a, 'confirmed', team, 0n);
      expect(onlyPlayerOf(a, team).name).toBe('confirmed');
      await until('the insert on the other connection', () => seen[0]);
      expect(seen).toMatchObject([{ kind: 'insert', event: 'Transaction' }]);
      a.conn.disconnect();
      b.conn.disconnect();
    });
  }
});

describe('official SDK 2.x: the server closing the connection', () => {
  it('reports onDisconnect when the module is replaced and when the database goes', async () => {
    // A new connection works in between.
    expect(await publishFixture(bed, 'wsclose2')).toBe(200);
    const a = await connectFixture({ token: alice.token, database: 'wsclose2' });
    await subscribed(a.conn.subscriptionBuilder(), 'SELECT * FROM player');
    expect(await publishFixture(bed, 'wsclose2', '?clear=true')).toBe(200);
    expect(await disconnected(a, 'onDisconnect after the update')).toBeUndefined();
    expect(a.conn.isActive).toBe(false);

    const b = await connectFixture({ token: alice.token, database: 'wsclose2' });
    await addPlayer(b, 'after', 1, 1n);
    expect(await deleteDatabase(bed, 'wsclose2')).toBe(200);
    expect(await disconnected(b, 'onDisconnect after the delete')).toBeUndefined();
    expect(b.conn.isActive).toBe(false);
  });
});

describe('official SDK 2.x: chat (Identity key, options, timestamps, lifecycle reducers)', () => {
  it('follows users and messages across connections, onUpdate on the Identity key', async () => {
    const watcher = await connectChat({ token: owner.token });
    await subscribed(watcher.conn.subscriptionBuilder(), [
      'SELECT * FROM user',
      'SELECT * FROM message',
    ]);
    // client_connected inserted the watcher itself before InitialConnection.
    expect(watcher.conn.db.user.identity.find(watcher.identity)).toEqual({
      identity: watcher.identity,
      name: undefined,
      online: true,
    });
    const users = recordRows(watcher.conn.db.user);
    const messages = recordRows(watcher.conn.db.message);

    const guest = await connectChat();
    const joined = await until('the guest to come online', () =>
      users.find(e => e.kind === 'insert' && e.row.identity.isEqual(guest.identity)),
    );
    expect(joined).toEqual({
      kind: 'insert',
      event: 'Transaction',
      row: { identity: guest.identity, name: undefined, online: true },
    });

    await settled('set_name', guest.conn.reducers.setName({ name: 'bob' }));
    const renamed = await until('the rename', () => users.find(e => e.kind === 'update'));
    expect(renamed).toEqual({
      kind: 'update',
      event: 'Transaction',
      old: { identity: guest.identity, name: undefined, online: true },
      row: { identity: guest.identity, name: 'bob', online: true },
    });

    const refused = await rejection('empty set_name', guest.conn.reducers.setName({ name: '' }));
    expect(refused).toBeInstanceOf(SenderError);
    expect(refused).toMatchObject({ message: 'Names must not be empty' });

    const before = nowMicros();
    await settled('send_message', guest.conn.reducers.sendMessage({ text: 'hello from 2.x' }));
    const posted = await until('the message', () => messages.find(e => e.kind === 'insert'));
    expect(posted.event).toBe('Transaction');
    expect(posted.row.text).toBe('hello from 2.x');
    expect(posted.row.sender.isEqual(guest.identity)).toBe(true);
    expect(posted.row.sent.microsSinceUnixEpoch).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect([...watcher.conn.db.message.sender.filter(guest.identity)].map(m => m.text)).toEqual([
      'hello from 2.x',
    ]);

    await checkGuestLeaves(guest, users);
    watcher.conn.disconnect();
  });

  it('shows the caller its own chat rows as Reducer events, applied on resolve', async () => {
    const me = await connectChat({ token: alice.token });
    await subscribed(me.conn.subscriptionBuilder(), 'SELECT * FROM user');
    const users = recordRows(me.conn.db.user);
    await settled('set_name', me.conn.reducers.setName({ name: 'alice' }));
    expect(me.conn.db.user.identity.find(me.identity)).toEqual({
      identity: me.identity,
      name: 'alice',
      online: true,
    });
    expect(users).toMatchObject([{ kind: 'update', event: 'Reducer', row: { name: 'alice' } }]);
    me.conn.disconnect();
  });

  it('closes cleanly from the client: no error, client_disconnected runs once', () =>
    checkVisitLifecycle(bed, {
      connect: token => connectFixture({ token }),
      visitTable: conn => conn.db.visit,
      fromHex: hex => Identity.fromString(hex),
      event: 'Transaction',
    }));
});
