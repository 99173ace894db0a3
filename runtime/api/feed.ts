/**
 * @module
 * One database's live side, protocol-free: the clients that follow it, their subscribed query
 * sets (shared across clients in one `SubscriptionRegistry`), and the calls they are waiting
 * for. Every batch the executor publishes is turned here into one `ClientTransaction` per
 * client that must hear of it — its own calls (with the ticket it attached) and the row deltas
 * of its queries — and handed over synchronously, right after the commit. When and how that is
 * sent (after durability or before, in which encoding) is the protocol handler's business.
 */
import type { AppliedCall, CallArgs, DatabaseHandle, PublishedBatch } from '../host/index.js';
import type { Logger } from '../log/index.js';
import { toWasmbaseError, WasmbaseError } from '../protocol/index.js';
import type { CallChanges } from '../store/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  evaluateSubscriptionSliced,
  fanOut,
  SubscriptionRegistry,
  tablesRead,
  type CallFanOut,
  type CompiledSubscription,
  type Subscriber,
} from '../subscribe/index.js';
import { expandAllTables } from './all-tables.js';
import type { Connection } from './connection.js';
import { DurableMark } from './durable-mark.js';
import type { CallTicket, FeedClient, FeedEnd, FeedLimits, QueryRows } from './feed-types.js';
import { ResultPace, type ResultLimit, type SliceOptions } from './result-pace.js';

type Sets = Map<number, Subscriber<FeedClient>[]>;

/** The byte limit of a subscribe request's initial rows, and how they are sliced. */
export interface SubscribeLimit {
  readonly limit: ResultLimit;
  readonly slice?: SliceOptions;
}

/** Tables an initial evaluation in progress reads; `dirty` once a commit changed one. */
interface Watch {
  readonly tables: ReadonlySet<number>;
  dirty: boolean;
}

export class DatabaseFeed {
  readonly handle: DatabaseHandle;
  readonly #limits: FeedLimits;
  readonly #logger: Logger;
  readonly #registry: SubscriptionRegistry<Subscriber<FeedClient>>;
  readonly #clients = new Map<FeedClient, Sets>();
  /** Calls whose outcome a client waits for, by call id. */
  readonly #pending = new Map<number, { client: FeedClient; ticket: CallTicket }>();
  readonly #stop: () => void;
  /** Initial evaluations read in slices right now (see `subscribeSliced`). */
  readonly #watches = new Set<Watch>();
  #lastDurable = DurableMark.DONE;
  #ended = false;

  constructor(handle: DatabaseHandle, limits: FeedLimits, logger: Logger) {
    this.handle = handle;
    this.#limits = limits;
    this.#logger = logger;
    const options = { maxRows: limits.rowLimit, errors: 'per-query' } as const;
    this.#registry = new SubscriptionRegistry(handle.schema, options);
    this.#stop = handle.onPublished(batch => this.#published(batch));
  }

  /** Durability of the last committed batch: what a read sees now is on disk once it is. */
  get lastDurable(): DurableMark {
    return this.#lastDurable;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Distinct queries evaluated per transaction. */
  get sharedQueries(): number {
    return this.#registry.size;
  }

  join(client: FeedClient): void {
    if (this.#ended) throw new WasmbaseError('UNAVAILABLE', 'the database changed; reconnect');
    if (!this.#clients.has(client)) this.#clients.set(client, new Map());
  }

  /** Forgets a client, its query sets and the calls it waited for. */
  leave(client: FeedClient): void {
    const sets = this.#clients.get(client);
    if (sets === undefined) return;
    for (const set of [...sets.keys()]) this.#detach(client, set);
    this.#clients.delete(client);
    for (const [id, p] of this.#pending) if (p.client === client) this.#pending.delete(id);
  }

  /**
   * Submits a call through `connection`; its transaction reaches `client` with `ticket`, once.
   * Throws the call's checks (`prepareCall`) synchronously.
   */
  call(
    client: FeedClient,
    connection: Connection,
    reducer: string,
    args: CallArgs,
    ticket: CallTicket,
  ): void {
    const call = connection.submit(reducer, args);
    this.#pending.set(call.id, { client, ticket });
  }

  hasSet(client: FeedClient, set: number): boolean {
    return this.#clients.get(client)?.has(set) === true;
  }

  /**
   * Subscribes `client` to `sqls` as query set `set` (replacing a set of that number when
   * `replace`), and returns each query's current rows, read on one snapshot.
   */
  subscribe(
    client: FeedClient,
    set: number,
    sqls: readonly string[],
    replace = false,
  ): QueryRows[] {
    const queries = this.#compile(client, set, sqls, replace);
    const rows = this.#rows(queries);
    this.#attach(client, set, queries);
    return rows;
  }

  /**
   * `subscribe` for big results: the rows are read on a snapshot in slices (the event loop
   * turns between them) and counted against `limit` (RESULT_TOO_LARGE, nothing subscribed).
   * The query set is attached only after the read, so a commit in between must not be lost:
   * when one changed a table the queries read, the rows are read again, at once, on the state
   * the set is attached to (only then does the read block the thread).
   */
  async subscribeSliced(
    client: FeedClient,
    set: number,
    sqls: readonly string[],
    replace: boolean,
    limit: SubscribeLimit,
  ): Promise<QueryRows[]> {
    const queries = this.#compile(client, set, sqls, replace);
    const watch: Watch = { tables: new Set(queries.flatMap(tablesRead)), dirty: false };
    const maxRows = this.#limits.rowLimit;
    const pace = new ResultPace(limit.limit, limit.slice);
    this.#watches.add(watch);
    let rows: QueryRows[];
    try {
      rows = await this.handle.readAsync(async reader => {
        const out: QueryRows[] = [];
        for (const query of queries) {
          const list = await evaluateSubscriptionSliced(query, reader, pace, { maxRows });
          out.push({ query, rows: list });
        }
        return out;
      });
    } finally {
      this.#watches.delete(watch);
    }
    if (this.#ended) throw new WasmbaseError('UNAVAILABLE', 'the database changed; reconnect');
    this.#sets(client);
    if (watch.dirty) rows = this.#rows(queries, new ResultPace(limit.limit));
    this.#attach(client, set, queries);
    return rows;
  }

  /** Checks a subscribe request (the set, the per-client query limit) and compiles it. */
  #compile(
    client: FeedClient,
    set: number,
    sqls: readonly string[],
    replace: boolean,
  ): CompiledSubscription[] {
    const sets = this.#sets(client);
    if (!replace && sets.has(set)) {
      throw new WasmbaseError('INVALID_ARGUMENT', `query set ${set} is already subscribed`);
    }
    const expanded = expandAllTables(this.handle.schema, sqls, client.isOwner);
    let held = 0;
    for (const [k, subs] of sets) if (k !== set) held += subs.length;
    const max = this.#limits.maxSubscriptions;
    if (held + expanded.length > max) {
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `a connection may hold at most ${max} subscribed queries (--ws-max-subscriptions)`,
        { limit: max },
      );
    }
    const options = { isOwner: client.isOwner };
    return expanded.map(sql => compileSubscription(this.handle.schema, sql, options));
  }

  /** Makes `queries` client's query set `set` (replacing what it held under that number). */
  #attach(client: FeedClient, set: number, queries: readonly CompiledSubscription[]): void {
    const sets = this.#sets(client);
    this.#detach(client, set);
    const subs = queries.map(query => ({ client, set, query }));
    for (const s of subs) this.#registry.add(s.query, s);
    sets.set(set, subs);
  }

  /** Drops query set `set`; with `withRows`, returns the rows its queries held. */
  unsubscribe(client: FeedClient, set: number, withRows: boolean): QueryRows[] {
    const subs = this.#clients.get(client)?.get(set);
    if (subs === undefined) {
      throw new WasmbaseError('INVALID_ARGUMENT', `query set ${set} is not subscribed`);
    }
    const rows = withRows ? this.#rows(subs.map(s => s.query)) : [];
    this.#detach(client, set);
    return rows;
  }

  /** Ends the feed: it stops listening and every client is told why. */
  end(reason: FeedEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stop();
    for (const client of [...this.#clients.keys()]) {
      this.leave(client);
      client.feedEnded(reason);
    }
  }

  #sets(client: FeedClient): Sets {
    const sets = this.#clients.get(client);
    if (sets === undefined) throw new WasmbaseError('INVALID_ARGUMENT', 'the client left');
    return sets;
  }

  /**
   * Current rows of each query on one snapshot; SQL_ROW_LIMIT past --sql-row-limit, and the
   * bytes counted by `pace` when given.
   */
  #rows(queries: readonly CompiledSubscription[], pace?: ResultPace): QueryRows[] {
    const maxRows = this.#limits.rowLimit;
    return this.handle.read(reader =>
      queries.map(query => {
        const rows = evaluateSubscription(query, reader, { maxRows });
        if (pace !== undefined) for (const r of rows) pace.count(r.length);
        return { query, rows };
      }),
    );
  }

  #detach(client: FeedClient, set: number): void {
    const sets = this.#clients.get(client);
    for (const s of sets?.get(set) ?? []) this.#registry.remove(s.query, s);
    sets?.delete(set);
  }

  #published(batch: PublishedBatch): void {
    const committed: CallChanges[] = [];
    for (const c of batch.calls) if (c.status === 'committed') committed.push(c.changes);
    const mark = committed.length === 0 ? DurableMark.DONE : new DurableMark(batch.durable);
    if (committed.length > 0) this.#lastDurable = mark;
    if (this.#watches.size > 0) this.#markWatches(committed);
    if (this.#clients.size === 0) return;
    const fanouts = this.#registry.size > 0 && committed.length > 0 ? this.#fanOut(committed) : [];
    let k = 0;
    for (const applied of batch.calls) {
      const fan = applied.status === 'committed' ? fanouts[k++] : undefined;
      this.#deliver(applied, mark, fan);
    }
  }

  /** Marks the evaluations in progress whose tables a committed call changed. */
  #markWatches(committed: readonly CallChanges[]): void {
    for (const changes of committed) {
      for (const t of changes) {
        for (const w of this.#watches) if (w.tables.has(t.tableId)) w.dirty = true;
      }
    }
  }

  #fanOut(committed: CallChanges[]): readonly CallFanOut<FeedClient>[] {
    try {
      return this.handle.read(reader => fanOut(this.#registry, committed, reader));
    } catch (err) {
      this.#evaluationFailed(err);
      return [];
    }
  }

  #deliver(applied: AppliedCall, durable: DurableMark, fan: CallFanOut<FeedClient> | undefined) {
    const pending = this.#pending.get(applied.call.id);
    if (pending !== undefined) this.#pending.delete(applied.call.id);
    for (const failed of fan?.failed ?? []) {
      for (const sub of failed.subscribers) {
        if (!this.hasSet(sub.client, sub.set)) continue;
        this.#detach(sub.client, sub.set);
        sub.client.querySetDropped(sub.set, failed.error, durable);
      }
    }
    for (const [client, updates] of fan?.byClient ?? []) {
      if (client === pending?.client) continue;
      client.transaction({ applied, durable, updates, ticket: undefined });
    }
    if (pending !== undefined && this.#clients.has(pending.client)) {
      const updates = fan?.byClient.get(pending.client) ?? [];
      pending.client.transaction({ applied, durable, updates, ticket: pending.ticket });
    }
  }

  /** An incremental evaluation failed: every subscriber is told, and its query sets dropped. */
  #evaluationFailed(err: unknown): void {
    const error = toWasmbaseError(err);
    this.#logger.error('subscription evaluation failed', { err });
    for (const [client, sets] of this.#clients) {
      for (const set of [...sets.keys()]) {
        this.#detach(client, set);
        client.querySetDropped(set, error, this.#lastDurable);
      }
    }
  }
}
