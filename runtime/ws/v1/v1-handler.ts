/**
 * @module
 * SpacetimeDB's v1 protocols (`v1.bsatn.spacetimedb`, `v1.json.spacetimedb`) over the shared
 * session, connection and feed: decodes client messages, answers them through the service
 * layer, and shapes every transaction a client must hear of as v1 messages — the caller's full
 * `TransactionUpdate` (or `Failed`), other clients' `TransactionUpdate` or, in light mode,
 * `TransactionUpdateLight`. Non-callers that get the same deltas in the same encoding get the
 * same bytes: such messages are encoded once.
 */
import type {
  ClientDelta,
  ClientTransaction,
  DurableMark,
  QueryRows,
  QueryTable,
} from '../../api/index.js';
import type { CallArgs, ExecutedCall } from '../../host/index.js';
import {
  CALL_REDUCER_FLAGS,
  decodeClientMessageBsatn,
  decodeClientMessageJson,
  encodeServerMessageBsatn,
  encodeServerMessageJson,
  WasmbaseError,
  type ClientMessage,
  type ServerMessage,
  type WsArgs,
} from '../../protocol/index.js';
import { binaryFrames, textFrames } from '../framing.js';
import { noProcedure, WsHandler, type HandlerDeps, type HandlerInit } from '../handler.js';
import type { Frame, Payload, WsSocket } from '../session.js';
import {
  argsFor,
  deltaUpdate,
  rowsUpdate,
  singleRows,
  transactionUpdate,
  type V1Format,
} from './v1-messages.js';

/** The query set of the legacy `Subscribe` (v1 query ids are u32, so it never collides). */
const LEGACY_SET = -1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Shared non-caller messages, by the delta list they carry and the encoding. */
const sharedMessages = new WeakMap<readonly ClientDelta[], Map<string, Payload>>();

type CallReducer = Extract<ClientMessage, { tag: 'CallReducer' }>;

export class V1Handler extends WsHandler<ClientMessage> {
  readonly #format: V1Format;
  /** Sessions with equal keys get byte-identical non-caller updates for the same deltas. */
  readonly #encodingKey: string;

  constructor(socket: WsSocket, deps: HandlerDeps, init: HandlerInit, format: V1Format) {
    super(socket, deps, init);
    this.#format = format;
    this.#encodingKey = `${format}/${init.params.light ? 'light' : 'full'}`;
  }

  decode(data: Uint8Array, isBinary: boolean): readonly ClientMessage[] {
    if (this.#format === 'bsatn') {
      if (!isBinary) {
        throw new WasmbaseError(
          'PROTOCOL_UNSUPPORTED',
          'text frame on the v1.bsatn protocol: send binary BSATN messages',
        );
      }
      return [decodeClientMessageBsatn(data)];
    }
    if (isBinary) {
      throw new WasmbaseError(
        'PROTOCOL_UNSUPPORTED',
        'binary frame on the v1.json protocol: send text JSON messages',
      );
    }
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      throw new WasmbaseError('PROTOCOL_DECODE', 'the text frame is not valid UTF-8');
    }
    return [decodeClientMessageJson(text)];
  }

  isCall(message: ClientMessage): boolean {
    return message.tag === 'CallReducer';
  }

  frames(payloads: readonly Payload[]): readonly Frame[] {
    if (this.#format === 'json') return textFrames(payloads);
    return binaryFrames(payloads, this.init.params.compression);
  }

  protected welcome(): Payload {
    const { identity, token } = this.init;
    const connectionId = this.connection.connectionId;
    return this.#encode({ tag: 'IdentityToken', identity, token, connectionId });
  }

  #encode(message: ServerMessage): Payload {
    const schema = this.feed.handle.schema;
    if (this.#format === 'json') return encodeServerMessageJson(message, schema);
    return encodeServerMessageBsatn(message);
  }

  protected handle(message: ClientMessage): void | Promise<void> {
    switch (message.tag) {
      case 'CallReducer':
        return this.#call(message);
      case 'Subscribe':
        return this.#subscribe(message.requestId, undefined, message.queryStrings, 'legacy');
      case 'SubscribeSingle':
        return this.#subscribe(message.requestId, message.queryId, [message.query], 'single');
      case 'SubscribeMulti':
        return this.#subscribe(message.requestId, message.queryId, message.queryStrings, 'multi');
      case 'Unsubscribe':
        return this.#unsubscribe(message.requestId, message.queryId, 'single');
      case 'UnsubscribeMulti':
        return this.#unsubscribe(message.requestId, message.queryId, 'multi');
      case 'OneOffQuery':
        return this.#oneOff(message.messageId, message.queryString);
      case 'CallProcedure':
        return this.reply(
          this.#encode({
            tag: 'ProcedureResult',
            status: { tag: 'InternalError', message: noProcedure(message.procedure) },
            timestamp: BigInt(Date.now()) * 1000n,
            totalHostExecutionDurationMicros: 0n,
            requestId: message.requestId,
          }),
        );
    }
  }

  // ---- reducer calls ----

  #call(message: CallReducer): void {
    const { reducer, requestId, flags } = message;
    const args: CallArgs =
      message.args.format === 'bsatn' ? message.args.bytes : { jsonText: message.args.text };
    try {
      this.feed.call(this, this.connection, reducer, args, { requestId, flags });
    } catch (err) {
      this.session.callApplied();
      const call: ExecutedCall = {
        id: 0,
        reducer,
        reducerId: this.feed.handle.schema.reducerByName(reducer)?.id ?? 0,
        args: new Uint8Array(0),
        sender: this.identity,
        connectionId: this.connection.connectionId,
        timestamp: BigInt(Date.now()) * 1000n,
      };
      const noArgs: WsArgs =
        this.#format === 'json' ? { format: 'json', text: '[]' } : message.args;
      const info = { args: noArgs, requestId, durationMicros: 0, reducerId: call.reducerId };
      const error = this.errorText(err, 'reducer call');
      this.reply(this.#encode(transactionUpdate(call, { error }, info)));
    }
  }

  transaction(tx: ClientTransaction): void {
    try {
      this.#transaction(tx);
    } finally {
      // After the caller's message: requests that waited for this call are answered after it.
      if (tx.ticket !== undefined) this.session.callApplied();
    }
  }

  #transaction(tx: ClientTransaction): void {
    if (this.session.closed) return;
    const { applied, ticket } = tx;
    const schema = this.feed.handle.schema;
    const { call } = applied;
    const args = argsFor(call.args, this.#format, schema, call.reducer);
    const durationMicros = applied.durationMicros;
    const reducerId = call.reducerId;
    if (applied.status === 'failed') {
      if (ticket === undefined) return;
      const info = { args, requestId: ticket.requestId, durationMicros, reducerId };
      const error = applied.error.message;
      this.sendTransaction(this.#encode(transactionUpdate(call, { error }, info)), tx);
      return;
    }
    const notify =
      ticket !== undefined && (ticket.flags & CALL_REDUCER_FLAGS.NoSuccessNotify) === 0;
    if (notify) {
      const info = { args, requestId: ticket.requestId, durationMicros, reducerId };
      const update = deltaUpdate(this.feed.handle.schema, tx.updates);
      this.sendTransaction(this.#encode(transactionUpdate(call, { update }, info)), tx);
      return;
    }
    if (tx.updates.length === 0) return;
    // A NoSuccessNotify caller still hears of its rows only once they are durable.
    this.sendTransaction(this.#shared(tx, args), tx);
  }

  /** A non-caller's message, encoded once for every session with the same key. */
  #shared(tx: ClientTransaction, args: WsArgs): Payload {
    let byKey = sharedMessages.get(tx.updates);
    if (byKey === undefined) sharedMessages.set(tx.updates, (byKey = new Map()));
    const cached = byKey.get(this.#encodingKey);
    if (cached !== undefined) return cached;
    const update = deltaUpdate(this.feed.handle.schema, tx.updates);
    const { call, durationMicros } = tx.applied;
    const info = { args, requestId: 0, durationMicros, reducerId: call.reducerId };
    const message: ServerMessage = this.init.params.light
      ? { tag: 'TransactionUpdateLight', requestId: 0, update }
      : transactionUpdate(call, { update }, info);
    const payload = this.#encode(message);
    byKey.set(this.#encodingKey, payload);
    return payload;
  }

  querySetDropped(set: number, error: WasmbaseError, durable: DurableMark): void {
    const message: ServerMessage = {
      tag: 'SubscriptionError',
      totalHostExecutionDurationMicros: 0n,
      requestId: undefined,
      queryId: set === LEGACY_SET ? undefined : set,
      tableId: undefined,
      error: error.message,
    };
    this.session.send(this.#encode(message), durable);
  }

  // ---- subscriptions ----

  async #subscribe(
    requestId: number,
    queryId: number | undefined,
    sqls: readonly string[],
    kind: 'legacy' | 'single' | 'multi',
  ): Promise<void> {
    const started = performance.now();
    const set = queryId ?? LEGACY_SET;
    let rows: QueryRows[];
    try {
      const replace = kind === 'legacy';
      rows = await this.feed.subscribeSliced(this, set, sqls, replace, this.subscribeOptions);
    } catch (err) {
      if (!this.session.closed) this.#subscriptionError(requestId, queryId, err, started);
      return;
    }
    if (this.session.closed) return;
    const duration = micros(started);
    const schema = this.feed.handle.schema;
    if (kind === 'legacy') {
      const databaseUpdate = rowsUpdate(schema, rows, 'inserts');
      const totalHostExecutionDurationMicros = duration;
      const m = { tag: 'InitialSubscription', databaseUpdate, requestId } as const;
      this.reply(this.#encode({ ...m, totalHostExecutionDurationMicros }));
    } else if (kind === 'single') {
      this.reply(
        this.#encode({
          tag: 'SubscribeApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId: set,
          rows: singleRows(schema, rows[0]!, 'inserts'),
        }),
      );
    } else {
      this.reply(
        this.#encode({
          tag: 'SubscribeMultiApplied',
          requestId,
          totalHostExecutionDurationMicros: duration,
          queryId: set,
          update: rowsUpdate(schema, rows, 'inserts'),
        }),
      );
    }
  }

  #unsubscribe(requestId: number, queryId: number, kind: 'single' | 'multi'): void {
    const started = performance.now();
    try {
      const rows = this.feed.unsubscribe(this, queryId, true);
      const totalHostExecutionDurationMicros = micros(started);
      const common = { requestId, totalHostExecutionDurationMicros, queryId };
      this.reply(
        this.#encode(
          kind === 'single'
            ? {
                tag: 'UnsubscribeApplied',
                ...common,
                rows: singleRows(this.feed.handle.schema, rows[0]!, 'deletes'),
              }
            : {
                tag: 'UnsubscribeMultiApplied',
                ...common,
                update: rowsUpdate(this.feed.handle.schema, rows, 'deletes'),
              },
        ),
      );
    } catch (err) {
      this.#subscriptionError(requestId, queryId, err, started);
    }
  }

  #subscriptionError(
    requestId: number,
    queryId: number | undefined,
    err: unknown,
    started: number,
  ) {
    this.reply(
      this.#encode({
        tag: 'SubscriptionError',
        totalHostExecutionDurationMicros: micros(started),
        requestId,
        queryId,
        tableId: undefined,
        error: this.errorText(err, 'subscribe'),
      }),
    );
  }

  // ---- one-off queries ----

  async #oneOff(messageId: Uint8Array, sql: string): Promise<void> {
    const started = performance.now();
    const base = { tag: 'OneOffQueryResponse', messageId } as const;
    let tables: QueryTable[];
    try {
      tables = await this.connection.oneOffQuerySliced(sql, this.queryOptions);
    } catch (err) {
      if (this.session.closed) return;
      const error = this.errorText(err, 'one-off query');
      const totalHostExecutionDurationMicros = micros(started);
      this.reply(this.#encode({ ...base, error, tables: [], totalHostExecutionDurationMicros }));
      return;
    }
    if (this.session.closed) return;
    const totalHostExecutionDurationMicros = micros(started);
    this.reply(
      this.#encode({ ...base, error: undefined, tables, totalHostExecutionDurationMicros }),
    );
  }
}

function micros(startMs: number): bigint {
  return BigInt(Math.max(0, Math.round((performance.now() - startMs) * 1000)));
}
