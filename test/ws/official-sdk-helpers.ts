/**
 * @module
 * What the conformance suites of the official SpacetimeDB TypeScript SDKs (1.12 in
 * `official-sdk.test.ts`, 2.10.1 in `official-sdk-v2.test.ts`) share: a real server with the ws
 * fixture and the chat module published, a record of the HTTP requests the process makes (the
 * SDKs' token exchange among them), bounded waits, and the scenario steps both SDK APIs allow
 * (open a connection and learn how it ends, subscribe and wait for the answer, record a table's
 * row callbacks in order, a round-trip barrier), and the scenario checks that are the same for
 * both SDKs (a connection with and without a token, a subscription's initial rows, publishing and
 * deleting over HTTP, a chat guest leaving, a connection's visit row across its lifecycle).
 *
 * Each step is written against the small structural interface the two SDKs have in common, so a
 * suite passes its own typed connection and keeps its types. Every wait is bounded by `WAIT_MS`
 * (or the time given) and fails with the name of what did not arrive.
 */
import { afterAll, expect } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer, type Client } from '../helpers/server.js';
import type { RunningServer } from '../../runtime/main.js';

export const WAIT_MS = 5000;
/** The bound for an HTTP request that publishes (compiles) or deletes a database. */
export const HTTP_MS = 15_000;

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null;
}

/** Records every `fetch` the process makes until the test file ends (the SDKs use `fetch`). */
export function recordRequests(): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
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
  return requests;
}

export interface Testbed {
  readonly server: RunningServer;
  readonly api: Client;
  /** Published both modules: sees private tables. */
  readonly owner: { readonly identity: string; readonly token: string };
  readonly alice: { readonly identity: string; readonly token: string };
  /** The status of publishing `modules/fixtures/ws` as `wsfix` and `modules/chat` as `chat`. */
  readonly published: { readonly wsfix: number; readonly chat: number };
  /** Calls a reducer over HTTP (`POST /v1/database/:db/call/:reducer`) as `token`. */
  httpCall(db: string, reducer: string, args: readonly unknown[], token?: string): Promise<number>;
}

/** A server on 127.0.0.1 (ephemeral port) with the fixture and chat modules published. */
export async function startTestbed(): Promise<Testbed> {
  const server = await testServer();
  // Registered after the server's own close, so it runs first (after-hooks run in reverse).
  afterAll(() => {
    for (const conn of live) conn.disconnect();
  });
  const api = client(server);
  const owner = await api.newIdentity();
  const alice = await api.newIdentity();
  const publish = async (db: string, rel: string) =>
    (await api.json('POST', `/v1/database/${db}`, { token: owner.token, body: moduleBytes(rel) }))
      .status;
  const published = {
    wsfix: await publish('wsfix', 'fixtures/ws'),
    chat: await publish('chat', 'chat'),
  };
  const httpCall: Testbed['httpCall'] = async (db, reducer, args, token = owner.token) =>
    (
      await api.json('POST', `/v1/database/${db}/call/${reducer}`, {
        token,
        body: JSON.stringify(args),
        contentType: 'application/json',
      })
    ).status;
  return { server, api, owner, alice, published, httpCall };
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined), for at most `ms`. */
export async function until<T>(what: string, check: () => T | undefined, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await sleep(5);
  }
}

/** A promise settled by a callback, rejected after `ms`. */
export function within<T>(
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

/** `promise`, failing instead if it does not settle within `ms`. */
export function settled<T>(what: string, promise: Promise<T>, ms = WAIT_MS): Promise<T> {
  return within<T>(what, (resolve, reject) => void promise.then(resolve, reject), ms);
}

/** What `promise` rejects with; fails if it resolves or does not settle within `ms`. */
export function rejection(what: string, promise: Promise<unknown>, ms = WAIT_MS): Promise<unknown> {
  return within<unknown>(
    what,
    (resolve, reject) =>
      void promise.then(
        () => reject(new Error(`${what} succeeded`)),
        (err: unknown) => resolve(err),
      ),
    ms,
  );
}

/** `value`, or a failure naming what the bindings or the SDK did not provide. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}

export interface Opened<C, Id> {
  readonly conn: C;
  readonly identity: Id;
  readonly token: string;
  /** Settles when the connection ends: the error the SDK reported, or undefined. */
  readonly ended: Promise<Error | undefined>;
}

export interface Handlers<C, Id> {
  connect(conn: C, identity: Id, token: string): void;
  error(err: unknown): void;
  disconnect(err: Error | undefined): void;
}

/** Every connection `opened` made; `startTestbed` closes them before the server. */
const live = new Set<{ disconnect(): void }>();

/**
 * Builds a connection through `build` (which wires the handlers into an SDK builder) and resolves
 * once `onConnect` ran, or rejects with what `onConnectError` reported. Every connection opened
 * is closed when the test file ends (see `startTestbed`).
 */
export function opened<C extends { disconnect(): void }, Id>(
  what: string,
  build: (handlers: Handlers<C, Id>) => void,
): Promise<Opened<C, Id>> {
  let ended!: (err: Error | undefined) => void;
  const endedPromise = new Promise<Error | undefined>(resolve => (ended = resolve));
  return within<Opened<C, Id>>(`onConnect from ${what}`, (resolve, reject) =>
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

/** Waits (bounded) for `onDisconnect` of a connection and resolves with its error, if any. */
export function disconnected(
  conn: { readonly ended: Promise<Error | undefined> },
  what = 'onDisconnect',
): Promise<Error | undefined> {
  return within(what, resolve => void conn.ended.then(resolve));
}

/** The subscription builder chain the two SDKs share. */
export interface SubscriptionStart<H> {
  onApplied(cb: () => void): {
    onError(cb: (ctx: { event?: Error }) => void): { subscribe(queries: string[]): H };
  };
}

const listOf = (queries: string | string[]) => (typeof queries === 'string' ? [queries] : queries);

/** Subscribes and resolves with the handle once the server applied the queries. */
export function subscribed<H>(
  builder: SubscriptionStart<H>,
  queries: string | string[],
): Promise<H> {
  return within<H>(`SubscribeApplied for ${String(queries)}`, (resolve, reject) => {
    const handle: H = builder
      .onApplied(() => resolve(handle))
      .onError(ctx => reject(ctx.event ?? new Error('subscription error without a message')))
      .subscribe(listOf(queries));
  });
}

/** The subscription error the server reports for `queries`. */
export function subscriptionError<H>(
  builder: SubscriptionStart<H>,
  queries: string | string[],
): Promise<Error> {
  return within<Error>(`SubscriptionError for ${String(queries)}`, (resolve, reject) => {
    builder
      .onApplied(() => reject(new Error(`the server applied ${String(queries)}`)))
      .onError(ctx => resolve(ctx.event ?? new Error('')))
      .subscribe(listOf(queries));
  });
}

/** Unsubscribes and resolves once the server confirmed it (`UnsubscribeApplied`). */
export function unsubscribed(handle: { unsubscribeThen(cb: () => void): void }): Promise<void> {
  return within<void>('UnsubscribeApplied', resolve => handle.unsubscribeThen(() => resolve()));
}

/** A query that matches no row of the ws fixture (its `team` ids are small). */
const NOTHING = 'SELECT * FROM team WHERE id = 4000000000';

/**
 * A round trip on `conn` (subscribe + unsubscribe a query that matches nothing): every message
 * the server sent it before is handled after this resolves.
 */
export async function barrier<H extends { unsubscribeThen(cb: () => void): void }>(conn: {
  subscriptionBuilder(): SubscriptionStart<H>;
}): Promise<void> {
  await unsubscribed(await subscribed(conn.subscriptionBuilder(), NOTHING));
}

export type RowEvent<Row> =
  | { readonly kind: 'insert'; readonly row: Row; readonly event: string }
  | { readonly kind: 'delete'; readonly row: Row; readonly event: string }
  | { readonly kind: 'update'; readonly old: Row; readonly row: Row; readonly event: string };

export interface EventTag {
  readonly event: { readonly tag: string };
}

/** The row callbacks of a client table (`onUpdate` only with a primary key). */
export interface RowSource<Row, Ctx extends EventTag = EventTag> {
  onInsert(cb: (ctx: Ctx, row: Row) => void): void;
  onDelete(cb: (ctx: Ctx, row: Row) => void): void;
  onUpdate?(cb: (ctx: Ctx, old: Row, row: Row) => void): void;
}

/** Records a table's row callbacks in order, with the tag of the event that caused each. */
export function recordRows<Row, Ctx extends EventTag = EventTag>(
  table: RowSource<Row, Ctx>,
): RowEvent<Row>[] {
  const events: RowEvent<Row>[] = [];
  table.onInsert((ctx, row) => events.push({ kind: 'insert', row, event: ctx.event.tag }));
  table.onDelete((ctx, row) => events.push({ kind: 'delete', row, event: ctx.event.tag }));
  table.onUpdate?.((ctx, old, row) =>
    events.push({ kind: 'update', old, row, event: ctx.event.tag }),
  );
  return events;
}

/** The microseconds since the Unix epoch now, for timestamp bounds. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** An SDK identity as both SDKs print it. */
export interface HexIdentity {
  toHexString(): string;
}

/** What both SDKs' connections tell of themselves. */
export interface ConnectionFacts {
  readonly identity?: HexIdentity | undefined;
  readonly isActive: boolean;
  readonly connectionId: { isZero(): boolean };
}

const TOKEN_EXCHANGE = '/v1/identity/websocket-token';

/**
 * Checks a connection opened with `who`'s token: its identity and token, a connection id, and
 * exactly one token exchange (`POST /v1/identity/websocket-token` with the token) since `since`.
 */
export function checkTokenConnect(
  bed: Testbed,
  requests: readonly RecordedRequest[],
  since: number,
  a: Opened<ConnectionFacts, HexIdentity>,
  who: { readonly identity: string; readonly token: string },
): void {
  expect(a.identity.toHexString()).toBe(who.identity);
  expect(a.token).toBe(who.token);
  expect(a.conn.identity?.toHexString()).toBe(who.identity);
  expect(a.conn.isActive).toBe(true);
  expect(a.conn.connectionId.isZero()).toBe(false);
  const exchange = requests.slice(since).filter(r => r.url.endsWith(TOKEN_EXCHANGE));
  expect(exchange).toEqual([
    {
      method: 'POST',
      url: `${bed.server.url}${TOKEN_EXCHANGE}`,
      authorization: `Bearer ${who.token}`,
    },
  ]);
}

/**
 * Checks a connection opened without a token: no token exchange since `since`, a new identity
 * (not alice's) and a JWT the server verifies. Returns the identity's hex.
 */
export async function checkAnonymousConnect(
  bed: Testbed,
  requests: readonly RecordedRequest[],
  since: number,
  anon: Opened<unknown, HexIdentity>,
): Promise<string> {
  expect(requests.slice(since).some(r => r.url.includes('websocket-token'))).toBe(false);
  const hex = anon.identity.toHexString();
  expect(hex).toMatch(/^c200[0-9a-f]{60}$/);
  expect(hex).not.toBe(bed.alice.identity);
  expect(anon.token.split('.')).toHaveLength(3);
  const verify = await bed.api.json('GET', `/v1/identity/${hex}/verify`, { token: anon.token });
  expect(verify.status).toBe(204);
  return hex;
}

export interface TeamRow {
  readonly id: number;
  readonly name: string;
}

/** The client `team` table of the ws fixture, as both SDKs' bindings have it. */
export interface TeamTable {
  iter(): Iterable<TeamRow>;
  readonly id: { find(id: number): TeamRow | null | undefined };
}

/** Adds teams 11 (red) and 12 (blue) over HTTP: what `checkInitialTeams` expects. */
export async function addRedAndBlue(bed: Testbed): Promise<void> {
  for (const [id, name] of [
    [11, 'red'],
    [12, 'blue'],
  ] as const) {
    expect(await bed.httpCall('wsfix', 'add_team', [id, name])).toBe(200);
  }
}

/**
 * Checks a subscription to teams 11–12 once applied: active, both rows in the cache when
 * `onApplied` ran (`applied` is the count it saw), unique lookups, and one `onInsert` each.
 */
export async function checkInitialTeams(
  handle: { isActive(): boolean },
  applied: bigint,
  team: TeamTable,
  events: readonly RowEvent<TeamRow>[],
): Promise<void> {
  expect(handle.isActive()).toBe(true);
  // The rows are in the cache when onApplied runs; their onInsert callbacks follow.
  expect(applied).toBe(2n);
  expect([...team.iter()].sort((x, y) => x.id - y.id)).toEqual([
    { id: 11, name: 'red' },
    { id: 12, name: 'blue' },
  ]);
  expect(team.id.find(12)).toEqual({ id: 12, name: 'blue' });
  expect(team.id.find(13)).toBeNull();
  await until('two inserts', () => (events.length === 2 ? true : undefined));
  expect(events.map(e => [e.kind, e.event, e.row.id]).sort()).toEqual([
    ['insert', 'SubscribeApplied', 11],
    ['insert', 'SubscribeApplied', 12],
  ]);
}

/** Publishes the ws fixture as `db` (`query`: e.g. `?clear=true`) as the owner; the status. */
export async function publishFixture(bed: Testbed, db: string, query = ''): Promise<number> {
  const path = `/v1/database/${db}${query}`;
  const body = moduleBytes('fixtures/ws');
  const res = await settled(
    `POST ${path}`,
    bed.api.json('POST', path, { token: bed.owner.token, body }),
    HTTP_MS,
  );
  return res.status;
}

/** Deletes the database `db` as the owner; the status. */
export async function deleteDatabase(bed: Testbed, db: string): Promise<number> {
  const path = `/v1/database/${db}`;
  const res = await settled(
    `DELETE ${path}`,
    bed.api.json('DELETE', path, { token: bed.owner.token }),
    HTTP_MS,
  );
  return res.status;
}

/** A chat `user` row. */
export interface ChatUserRow<Id> {
  readonly identity: Id;
  readonly name?: string | undefined;
  readonly online: boolean;
}

/**
 * Disconnects `guest` (renamed `bob` before) and checks that it ends without an error and that
 * the watcher recording `users` sees it go offline (`client_disconnected` ran on the server).
 */
export async function checkGuestLeaves<Id>(
  guest: Opened<{ disconnect(): void; readonly isActive: boolean }, Id>,
  users: readonly RowEvent<ChatUserRow<Id>>[],
): Promise<void> {
  guest.conn.disconnect();
  expect(await disconnected(guest)).toBeUndefined();
  expect(guest.conn.isActive).toBe(false);
  const offline = await until('the guest to go offline', () =>
    users.find(e => e.kind === 'update' && !e.row.online),
  );
  expect(offline).toMatchObject({
    old: { name: 'bob', online: true },
    row: { identity: guest.identity, name: 'bob', online: false },
  });
}

/** A ws fixture `visit` row: connects and disconnects of one identity. */
export interface VisitRow<Id> {
  readonly who: Id & HexIdentity;
  readonly connects: number;
  readonly disconnects: number;
}

/** A ws fixture connection as the visit scenario uses it. */
export interface VisitConn<H extends { unsubscribeThen(cb: () => void): void }> {
  readonly isActive: boolean;
  disconnect(): void;
  subscriptionBuilder(): SubscriptionStart<H>;
}

/** How a suite runs the visit scenario with its SDK. */
export interface VisitScenario<C, Id> {
  readonly connect: (token: string) => Promise<Opened<C, unknown>>;
  /** The connection's client `visit` table. */
  readonly visitTable: (conn: C) => RowSource<VisitRow<Id>>;
  readonly fromHex: (hex: string) => Id;
  /** How the SDK tags another connection's transaction. */
  readonly event: string;
}

/**
 * A connection of a new identity closed from the client: it ends without an error, and an owner
 * watching `visit` sees `client_connected` insert its row and `client_disconnected` update it
 * once, both as another connection's transaction.
 */
export async function checkVisitLifecycle<
  C extends VisitConn<H>,
  Id,
  H extends { unsubscribeThen(cb: () => void): void },
>(bed: Testbed, { connect, visitTable, fromHex, event }: VisitScenario<C, Id>): Promise<void> {
  const visitor = await bed.api.newIdentity();
  const watcher = await connect(bed.owner.token);
  await subscribed(watcher.conn.subscriptionBuilder(), 'SELECT * FROM visit');
  const visits = recordRows(visitTable(watcher.conn));
  const mine = () => visits.filter(e => e.row.who.toHexString() === visitor.identity);
  const v = await connect(visitor.token);
  await until('the visit row', () => (mine().length >= 1 ? true : undefined));
  v.conn.disconnect();
  expect(await disconnected(v)).toBeUndefined();
  expect(v.conn.isActive).toBe(false);
  await until('the disconnect count', () => (mine().length >= 2 ? true : undefined));
  await barrier(watcher.conn);
  const who = fromHex(visitor.identity);
  expect(mine()).toEqual([
    { kind: 'insert', event, row: { who, connects: 1, disconnects: 0 } },
    {
      kind: 'update',
      event,
      old: { who, connects: 1, disconnects: 0 },
      row: { who, connects: 1, disconnects: 1 },
    },
  ]);
  watcher.conn.disconnect();
}

/** A subscription handle as both SDKs have it. */
export interface EndingHandle {
  unsubscribeThen(cb: () => void): void;
  isEnded(): boolean;
  isActive(): boolean;
}

/**
 * Unsubscribes `handle` (the query of team 26, which holds eve and fay on `conn`) and checks that
 * it ended and both rows left the cache through `onDelete` (recorded in `seen`); then that a
 * later insert into team 26 (`addLater`) is not sent to `conn`.
 */
export async function checkUnsubscribeDrops<H extends EndingHandle>(
  handle: H,
  conn: { subscriptionBuilder(): SubscriptionStart<H> },
  player: { count(): bigint },
  seen: readonly RowEvent<{ readonly name: string }>[],
  addLater: () => Promise<unknown>,
): Promise<void> {
  await unsubscribed(handle);
  expect(handle.isEnded()).toBe(true);
  expect(handle.isActive()).toBe(false);
  expect(player.count()).toBe(0n);
  expect(seen.map(e => [e.kind, e.event, e.row.name]).sort()).toEqual([
    ['delete', 'UnsubscribeApplied', 'eve'],
    ['delete', 'UnsubscribeApplied', 'fay'],
  ]);
  await addLater();
  await barrier(conn);
  expect(seen).toHaveLength(2);
  expect(player.count()).toBe(0n);
}
