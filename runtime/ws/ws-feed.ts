/**
 * @module
 * One database's WebSocket side: its sessions, their subscriptions (shared across sessions in a
 * `SubscriptionRegistry`), the handling of client messages, and the fan-out of every applied
 * batch. Everything a database sends leaves through one promise chain, in order: a batch's
 * messages once the batch is durable, replies once what they read is durable.
 */
import { WasmbaseError, toWasmbaseError, WS_CLOSE } from '../errors.js';
import type { AppliedBatch, DatabaseHandle } from '../host/index.js';
import type { Logger } from '../log/index.js';
import {
  ConnectionId,
  encodeToBytes,
  reducerArgsFromJson,
  type ClientMessage,
  type DatabaseUpdate,
  type ModuleSchema,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
} from '../protocol/index.js';
import { compileSql, executeSelect } from '../sql/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  SubscriptionRegistry,
  type CompiledSubscription,
  type QueryDelta,
} from '../subscribe/index.js';
import type { CallChanges } from '../store/index.js';
import { expandAllTables } from './ws-all-tables.js';
import { argsForFormat, type WsFrame } from './ws-encode.js';
import { type CallTicket, type SessionQuery, type WsSession } from './ws-session.js';

const NO_SUCCESS_NOTIFY = 1;

/** The error sent when a subscribed query fails during a transaction (no request id). */
function subscriptionErrorMessage(sub: SessionQuery, error: string): ServerMessage {
  return {
    tag: 'SubscriptionError',
    totalHostExecutionDurationMicros: 0n,
    requestId: undefined,
    queryId: sub.set === 'legacy' ? undefined : sub.set,
    tableId: sub.query.tableId,
    error,
  };
}

function micros(startMs: number): bigint {
  return BigInt(Math.max(0, Math.round((performance.now() - startMs) * 1000)));
}

/** Groups query updates by table into a `DatabaseUpdate`. */
function databaseUpdate(
  schema: ModuleSchema,
  parts: readonly { readonly tableId: number; readonly update: QueryUpdate }[],
): DatabaseUpdate {
  const byTable = new Map<number, QueryUpdate[]>();
  for (const p of parts) {
    const list = byTable.get(p.tableId);
    if (list === undefined) byTable.set(p.tableId, [p.update]);
    else list.push(p.update);
  }
  const tables: TableUpdate[] = [];
  for (const [tableId, updates] of byTable) {
    let numRows = 0;
    for (const u of updates) numRows += u.inserts.length + u.deletes.length;
    tables.push({
      tableId,
      tableName: schema.tables[tableId]!.name,
      numRows: BigInt(numRows),
      updates,
    });
  }
  return { tables };
}

export class DatabaseFeed {
  readonly handle: DatabaseHandle;
  readonly sessions = new Set<WsSession>();
  readonly #registry: SubscriptionRegistry<SessionQuery>;
  readonly #logger: Logger;
  readonly #rowLimit: number;
  readonly #stopListening: () => void;
  /** The tail of everything this database sends, in order. */
  #chain: Promise<void> = Promise.resolve();
  /** Durability of the last applied batch: what a read sees now is durable once it resolves. */
  #lastDurable: Promise<void> = Promise.resolve();

  constructor(handle: DatabaseHandle, logger: Logger, rowLimit: number) {
    this.handle = handle;
    this.#logger = logger;
    this.#rowLimit = rowLimit;
    this.#registry = new SubscriptionRegistry<SessionQuery>(handle.schema, {
      maxRows: rowLimit,
      errors: 'per-query',
    });
    this.#stopListening = handle.onApplied(batch => this.#applied(batch));
  }

  get schema(): ModuleSchema {
    return this.handle.schema;
  }

  /** Number of distinct queries evaluated per transaction. */
  get sharedQueries(): number {
    return this.#registry.size;
  }

  /** Sends `frames` once `gate` resolved and everything posted before was sent. */
  #post(gate: Promise<void>, frames: readonly (readonly [WsSession, WsFrame])[]): void {
    if (frames.length === 0) return;
    this.#chain = this.#chain
      .then(() => gate)
      .then(
        () => {
          for (const [session, frame] of frames) session.send(frame);
        },
        (err: unknown) =>
          this.#logger.error('messages dropped: their transaction did not become durable', { err }),
      );
  }

  /** Sends a reply once what it reflects is durable, after everything posted before it. */
  reply(session: WsSession, message: ServerMessage): void {
    this.#post(this.#lastDurable, [[session, session.encode(message)]]);
  }

  /** Stops the feed: every session closes with `code` and `reason`. */
  close(code: number, reason: string): void {
    this.#stopListening();
    for (const s of [...this.sessions]) s.close(code, reason);
  }

  /** Forgets a closed session and its subscriptions. */
  remove(session: WsSession): void {
    this.sessions.delete(session);
    this.#detachAll(session);
  }

  /** Handles one client message (its turn has come, see `WsSession.pump`). */
  dispatch(session: WsSession, message: ClientMessage): void {
    try {
      switch (message.tag) {
        case 'CallReducer':
          return this.#call(session, message);
        case 'Subscribe':
          return this.#subscribeLegacy(session, message.queryStrings, message.requestId);
        case 'SubscribeSingle':
          return this.#subscribeSet(
            session,
            [message.query],
            message.requestId,
            message.queryId,
            'single',
          );
        case 'SubscribeMulti':
          return this.#subscribeSet(
            session,
            message.queryStrings,
            message.requestId,
            message.queryId,
            'multi',
          );
        case 'Unsubscribe':
          return this.#unsubscribe(session, message.requestId, message.queryId, 'single');
        case 'UnsubscribeMulti':
          return this.#unsubscribe(session, message.requestId, message.queryId, 'multi');
        case 'OneOffQuery':
          return this.#oneOff(session, message.messageId, message.queryString);
        case 'CallProcedure':
          return this.reply(session, {
            tag: 'ProcedureResult',
            status: {
              tag: 'InternalError',
              message: `no procedure "${message.procedure.slice(0, 80)}": wasmbase modules have reducers only`,
            },
            timestamp: BigInt(Date.now()) * 1000n,
            totalHostExecutionDurationMicros: 0n,
            requestId: message.requestId,
          });
      }
    } catch (err) {
      this.#logger.error('websocket message failed', { err, tag: message.tag });
      session.close(
        WS_CLOSE.POLICY_VIOLATION,
        'internal error handling the message (see the server log)',
      );
    }
  }

  // ---- reducer calls ----

  #failedCall(
    session: WsSession,
    requestId: number,
    reducer: string,
    args: Uint8Array | undefined,
    message: string,
    durationMicros: number,
  ): ServerMessage {
    return {
      tag: 'TransactionUpdate',
      status: { tag: 'Failed', message },
      timestamp: BigInt(Date.now()) * 1000n,
      callerIdentity: session.identity,
      callerConnectionId: session.connectionId,
      reducerCall: {
        reducerName: reducer,
        reducerId: this.schema.reducerByName(reducer)?.id ?? 0,
        args:
          args === undefined
            ? session.encoding.format === 'bsatn'
              ? { format: 'bsatn', bytes: new Uint8Array(0) }
              : { format: 'json', text: '[]' }
            : argsForFormat(args, session.encoding.format, this.schema, reducer),
        requestId,
      },
      energyQuantaUsed: 0n,
      totalHostExecutionDurationMicros: BigInt(durationMicros),
    };
  }

  #call(session: WsSession, message: Extract<ClientMessage, { tag: 'CallReducer' }>): void {
    const { reducer: name, requestId } = message;
    let args: Uint8Array;
    try {
      const reducer = this.schema.reducerByName(name);
      if (reducer === undefined)
        throw new WasmbaseError(
          'REDUCER_NOT_FOUND',
          `no reducer "${name.slice(0, 80)}" in this database`,
        );
      if (reducer.lifecycle !== undefined)
        throw new WasmbaseError(
          'LIFECYCLE_NOT_CALLABLE',
          `"${name}" is a lifecycle reducer (${reducer.lifecycle}); the server calls it, clients cannot`,
        );
      if (message.args.format === 'bsatn') args = message.args.bytes;
      else {
        let json: unknown;
        try {
          json = JSON.parse(message.args.text);
        } catch {
          throw new WasmbaseError(
            'REDUCER_ARGS_INVALID',
            `the arguments of ${name} are not valid JSON`,
          );
        }
        args = reducerArgsFromJson(name, reducer.params, json);
      }
      const ticket: CallTicket = {
        session,
        requestId,
        flags: message.flags,
        reducer: name,
        applied: false,
      };
      session.unappliedCalls++;
      const outcome = this.handle.call({
        reducer: name,
        args,
        sender: session.identity,
        connectionId: session.connectionId,
        context: ticket,
      });
      outcome.then(
        result => {
          // Outcomes normally arrive with their applied batch; this path covers calls that never
          // reached one (a failed batch, a replaced module).
          if (ticket.applied) return;
          ticket.applied = true;
          session.unappliedCalls--;
          const message =
            result.status === 'failed'
              ? result.error.message
              : 'the call committed but its update was lost; see the server log';
          this.reply(
            session,
            this.#failedCall(session, requestId, name, args, message, result.durationMicros),
          );
          session.pump();
        },
        (err: unknown) => {
          if (ticket.applied) return;
          ticket.applied = true;
          session.unappliedCalls--;
          this.reply(
            session,
            this.#failedCall(session, requestId, name, args, toWasmbaseError(err).message, 0),
          );
          session.pump();
        },
      );
    } catch (err) {
      this.reply(
        session,
        this.#failedCall(session, requestId, name, undefined, toWasmbaseError(err).message, 0),
      );
    }
  }

  // ---- fan-out ----

  #applied(batch: AppliedBatch): void {
    this.#lastDurable = batch.durable;
    if (this.sessions.size === 0) return;
    // Changes are decoded only when some query may need them.
    const committed: CallChanges[] = [];
    if (this.#registry.size > 0)
      for (const c of batch.calls) if (c.status === 'committed') committed.push(c.changes);
    let deltas: QueryDelta<SessionQuery>[][] | undefined;
    if (committed.length > 0) {
      try {
        deltas = this.handle.read(reader => this.#registry.evaluateBatch(committed, reader));
      } catch (err) {
        this.#evaluationFailed(err);
      }
    }
    const frames: [WsSession, WsFrame][] = [];
    const pumps = new Set<WsSession>();
    let k = 0;
    for (const c of batch.calls) {
      const ticket = c.call.context as CallTicket | undefined;
      const caller =
        ticket !== undefined && ticket.session.feed === this && !ticket.applied
          ? ticket
          : undefined;
      if (caller !== undefined) {
        caller.applied = true;
        caller.session.unappliedCalls--;
        pumps.add(caller.session);
      }
      if (c.status === 'failed') {
        if (caller !== undefined && !caller.session.closed) {
          frames.push([
            caller.session,
            caller.session.encode(
              this.#failedCall(
                caller.session,
                caller.requestId,
                caller.reducer,
                c.call.args,
                c.error.message,
                c.durationMicros,
              ),
            ),
          ]);
        }
        continue;
      }
      // A query whose delta failed (over the row limit) is dropped with a SubscriptionError.
      const ok = (deltas?.[k] ?? []).filter(d => {
        if (d.error === undefined) return true;
        for (const sub of [...d.shared.subscribers]) {
          this.#detach(sub.session, sub.set);
          frames.push([
            sub.session,
            sub.session.encode(subscriptionErrorMessage(sub, d.error.message)),
          ]);
        }
        return false;
      });
      // Which of this transaction's query deltas each session gets (by index into `parts`).
      const parts = ok.map(d => ({
        tableId: d.shared.query.tableId,
        update: { deletes: d.deletes, inserts: d.inserts } as QueryUpdate,
      }));
      const perSession = new Map<WsSession, number[]>();
      ok.forEach((d, i) => {
        for (const sub of d.shared.subscribers) {
          const mine = perSession.get(sub.session);
          if (mine === undefined) perSession.set(sub.session, [i]);
          else mine.push(i);
        }
      });
      k++;
      const notifyCaller = caller !== undefined && (caller.flags & NO_SUCCESS_NOTIFY) === 0;
      if (notifyCaller && !perSession.has(caller.session)) perSession.set(caller.session, []);
      // Sessions that are not the caller and get the same deltas in the same encoding get the
      // same bytes: each distinct message is encoded once.
      const shared = new Map<string, WsFrame>();
      for (const [session, mine] of perSession) {
        if (session.closed) continue;
        const isCaller = notifyCaller && session === caller.session;
        const key = isCaller
          ? undefined
          : session.encodingKey + (mine.length === 1 ? mine[0]! : mine.join(','));
        const cached = key === undefined ? undefined : shared.get(key);
        if (cached !== undefined) {
          frames.push([session, cached]);
          continue;
        }
        const update = databaseUpdate(
          this.schema,
          mine.map(i => parts[i]!),
        );
        const message: ServerMessage =
          session.light && !isCaller
            ? { tag: 'TransactionUpdateLight', requestId: 0, update }
            : {
                tag: 'TransactionUpdate',
                status: { tag: 'Committed', update },
                timestamp: c.call.timestamp,
                callerIdentity: c.call.sender,
                callerConnectionId: c.call.connectionId ?? ConnectionId.ZERO,
                reducerCall: {
                  reducerName: c.call.reducer,
                  reducerId: Math.max(0, c.call.reducerId),
                  args: argsForFormat(
                    c.call.args,
                    session.encoding.format,
                    this.schema,
                    c.call.reducer,
                  ),
                  requestId: isCaller ? caller.requestId : 0,
                },
                energyQuantaUsed: 0n,
                totalHostExecutionDurationMicros: BigInt(c.durationMicros),
              };
        const frame = session.encode(message);
        if (key !== undefined) shared.set(key, frame);
        frames.push([session, frame]);
      }
    }
    this.#post(batch.durable, frames);
    // Requests that waited for these calls can run now: they read the state after this batch.
    for (const s of pumps) s.pump();
  }

  /** An incremental evaluation failed: every subscriber is told, and its subscriptions dropped. */
  #evaluationFailed(err: unknown): void {
    const error = toWasmbaseError(err);
    this.#logger.error('subscription evaluation failed', { err });
    for (const session of this.sessions) {
      if (session.querySets.size === 0) continue;
      this.#detachAll(session);
      this.reply(session, {
        tag: 'SubscriptionError',
        totalHostExecutionDurationMicros: 0n,
        requestId: undefined,
        queryId: undefined,
        tableId: undefined,
        error: error.message,
      });
    }
  }

  // ---- subscriptions ----

  /**
   * Compiles a session's new queries. `replaces` names the query set they take the place of,
   * which does not count against --ws-max-subscriptions.
   */
  #compile(
    session: WsSession,
    sqls: readonly string[],
    replaces?: number | 'legacy',
  ): CompiledSubscription[] {
    const released = replaces === undefined ? 0 : (session.querySets.get(replaces)?.length ?? 0);
    if (session.subscriptionCount - released + sqls.length > session.limits.maxSubscriptions) {
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `a connection may hold at most ${session.limits.maxSubscriptions} subscribed queries (--ws-max-subscriptions)`,
      );
    }
    return sqls.map(sql => compileSubscription(this.schema, sql, { isOwner: session.isOwner }));
  }

  /** Current rows of each query, on one snapshot; SQL_ROW_LIMIT past --sql-row-limit. */
  #initialRows(queries: readonly CompiledSubscription[]): Uint8Array[][] {
    return this.handle.read(reader =>
      queries.map(q => evaluateSubscription(q, reader, { maxRows: this.#rowLimit })),
    );
  }

  #attach(
    session: WsSession,
    set: number | 'legacy',
    queries: readonly CompiledSubscription[],
  ): void {
    const entries = queries.map(query => ({ session, set, query }));
    for (const e of entries) this.#registry.add(e.query, e);
    session.querySets.set(set, entries);
  }

  #detach(session: WsSession, set: number | 'legacy'): void {
    for (const e of session.querySets.get(set) ?? []) this.#registry.remove(e.query, e);
    session.querySets.delete(set);
  }

  #detachAll(session: WsSession): void {
    for (const set of [...session.querySets.keys()]) this.#detach(session, set);
  }

  #subscriptionError(
    session: WsSession,
    requestId: number,
    queryId: number | undefined,
    err: unknown,
    started: number,
  ): void {
    const error = toWasmbaseError(err);
    if (error.code === 'INTERNAL') this.#logger.error('subscribe failed', { err });
    this.reply(session, {
      tag: 'SubscriptionError',
      totalHostExecutionDurationMicros: micros(started),
      requestId,
      queryId,
      tableId: undefined,
      error: error.code === 'INTERNAL' ? 'internal error (see the server log)' : error.message,
    });
  }

  #subscribeLegacy(session: WsSession, sqls: readonly string[], requestId: number): void {
    const started = performance.now();
    try {
      const queries = this.#compile(
        session,
        expandAllTables(this.schema, sqls, session.isOwner),
        'legacy',
      );
      const rows = this.#initialRows(queries);
      this.#detach(session, 'legacy');
      this.#attach(session, 'legacy', queries);
      const update = databaseUpdate(
        this.schema,
        queries.map((q, i) => ({ tableId: q.tableId, update: { deletes: [], inserts: rows[i]! } })),
      );
      this.reply(session, {
        tag: 'InitialSubscription',
        databaseUpdate: update,
        requestId,
        totalHostExecutionDurationMicros: micros(started),
      });
    } catch (err) {
      this.#subscriptionError(session, requestId, undefined, err, started);
    }
  }

  #subscribeSet(
    session: WsSession,
    sqls: readonly string[],
    requestId: number,
    queryId: number,
    kind: 'single' | 'multi',
  ): void {
    const started = performance.now();
    try {
      if (session.querySets.has(queryId))
        throw new WasmbaseError(
          'INVALID_ARGUMENT',
          `query id ${queryId} is already subscribed on this connection`,
        );
      const queries = this.#compile(
        session,
        kind === 'multi' ? expandAllTables(this.schema, sqls, session.isOwner) : sqls,
      );
      const rows = this.#initialRows(queries);
      this.#attach(session, queryId, queries);
      const duration = micros(started);
      if (kind === 'single') {
        const q = queries[0]!;
        const tableRows: TableUpdate = {
          tableId: q.tableId,
          tableName: q.tableName,
          numRows: BigInt(rows[0]!.length),
          updates: [{ deletes: [], inserts: rows[0]! }],
        };
        this.reply(session, {
          tag: 'SubscribeApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId,
          rows: { tableId: q.tableId, tableName: q.tableName, tableRows },
        });
      } else {
        const update = databaseUpdate(
          this.schema,
          queries.map((q, i) => ({
            tableId: q.tableId,
            update: { deletes: [], inserts: rows[i]! },
          })),
        );
        this.reply(session, {
          tag: 'SubscribeMultiApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId,
          update,
        });
      }
    } catch (err) {
      this.#subscriptionError(session, requestId, queryId, err, started);
    }
  }

  #unsubscribe(
    session: WsSession,
    requestId: number,
    queryId: number,
    kind: 'single' | 'multi',
  ): void {
    const started = performance.now();
    try {
      const entries = session.querySets.get(queryId);
      if (entries === undefined)
        throw new WasmbaseError(
          'INVALID_ARGUMENT',
          `query id ${queryId} is not subscribed on this connection`,
        );
      const rows = this.#initialRows(entries.map(e => e.query));
      this.#detach(session, queryId);
      const duration = micros(started);
      if (kind === 'single') {
        const q = entries[0]!.query;
        const tableRows: TableUpdate = {
          tableId: q.tableId,
          tableName: q.tableName,
          numRows: BigInt(rows[0]!.length),
          updates: [{ deletes: rows[0]!, inserts: [] }],
        };
        this.reply(session, {
          tag: 'UnsubscribeApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId,
          rows: { tableId: q.tableId, tableName: q.tableName, tableRows },
        });
      } else {
        const update = databaseUpdate(
          this.schema,
          entries.map((e, i) => ({
            tableId: e.query.tableId,
            update: { deletes: rows[i]!, inserts: [] },
          })),
        );
        this.reply(session, {
          tag: 'UnsubscribeMultiApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId,
          update,
        });
      }
    } catch (err) {
      this.#subscriptionError(session, requestId, queryId, err, started);
    }
  }

  // ---- one-off queries ----

  #oneOff(session: WsSession, messageId: Uint8Array, sql: string): void {
    const started = performance.now();
    try {
      const plans = compileSql(this.schema, sql, { isOwner: session.isOwner });
      const tables = plans.map(plan => {
        if (plan.kind !== 'SelectPlan')
          throw new WasmbaseError(
            'SQL_UNSUPPORTED',
            'a one-off query over the WebSocket may only SELECT; use POST /v1/database/:name/sql for INSERT, UPDATE and DELETE',
          );
        const rowType = plan.statement.schema;
        const type = { tag: 'Product', elements: rowType.elements } as const;
        const values = this.handle.read(tx =>
          executeSelect(plan, tx, { rowLimit: this.#rowLimit }),
        );
        return {
          tableName: plan.statement.sources[0]!.table.name,
          rowType,
          rows: values.map(v => encodeToBytes(type, v)),
        };
      });
      this.reply(session, {
        tag: 'OneOffQueryResponse',
        messageId,
        error: undefined,
        tables,
        totalHostExecutionDurationMicros: micros(started),
      });
    } catch (err) {
      const error = toWasmbaseError(err);
      if (error.code === 'INTERNAL') this.#logger.error('one-off query failed', { err });
      this.reply(session, {
        tag: 'OneOffQueryResponse',
        messageId,
        error: error.code === 'INTERNAL' ? 'internal error (see the server log)' : error.message,
        tables: [],
        totalHostExecutionDurationMicros: micros(started),
      });
    }
  }
}
