/**
 * @module
 * What the conformance suites of the official SpacetimeDB TypeScript SDKs (1.12 in
 * `official-sdk.test.ts`, 2.10.1 in `official-sdk-v2.test.ts`) share: a real server with the ws
 * fixture and the chat module published, a record of the HTTP requests the process makes (the
 * SDKs' token exchange among them), bounded waits, and the scenario steps both SDK APIs allow
 * (open a connection and learn how it ends, subscribe and wait for the answer, record a table's
 * row callbacks in order, a round-trip barrier).
 *
 * Each step is written against the small structural interface the two SDKs have in common, so a
 * suite passes its own typed connection and keeps its types. Every wait is bounded by `WAIT_MS`
 * (or the time given) and fails with the name of what did not arrive.
 */
import { afterAll } from 'vitest';
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
