/**
 * @module
 * SpacetimeDB's v2 protocol (`v2.bsatn.spacetimedb`) and v3 (`v3.bsatn.spacetimedb`: the same
 * messages, several to a frame in both directions) over the shared session, connection and
 * feed. The caller of a reducer hears of its call once, in its `ReducerResult` (its own rows
 * inside `Ok`, after the transaction is durable); other clients get a `TransactionUpdate` with
 * their query sets' rows and never the reducer's name or arguments. Clients with the same share
 * of a transaction get the same bytes: such messages are encoded once.
 */
import type {
  ClientDelta,
  ClientTransaction,
  DurableMark,
  QueryRows,
  QueryTable,
} from '../../api/index.js';
import {
  decodeV2ClientMessage,
  decodeV3ClientPayload,
  encodeV2ServerMessage,
  WasmbaseError,
  type V2ClientMessage,
  type V2ReducerOutcome,
  type V2ServerMessage,
} from '../../protocol/index.js';
import { batchedFrames, binaryFrames } from '../framing.js';
import { noProcedure, WsHandler, type HandlerDeps, type HandlerInit } from '../handler.js';
import type { Frame, Payload, WsSocket } from '../session.js';
import { failedOutcome, queryRowsOf, transactionUpdateOf } from './v2-messages.js';

/**
 * Most messages one v3 client frame may carry. The SDK limits its frames by size only (256 KiB),
 * and a frame is already bounded by --ws-max-message-bytes, so this only has to exceed what a
 * legal 256 KiB frame of the smallest messages (4 bytes each) can hold.
 */
export const V3_MAX_CLIENT_MESSAGES = 65_536;

/** Shared non-caller `TransactionUpdate`s, by the delta list they carry. */
const sharedUpdates = new WeakMap<readonly ClientDelta[], Payload>();

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

type Call = Extract<V2ClientMessage, { tag: 'CallReducer' }>;

export class V2Handler extends WsHandler<V2ClientMessage> {
  readonly #batched: boolean;

  constructor(socket: WsSocket, deps: HandlerDeps, init: HandlerInit, batched: boolean) {
    super(socket, deps, init);
    this.#batched = batched;
  }

  decode(data: Uint8Array, isBinary: boolean): readonly V2ClientMessage[] {
    if (!isBinary) {
      throw new WasmbaseError(
        'PROTOCOL_UNSUPPORTED',
        'text frame on a v2/v3 protocol: send binary BSATN messages',
      );
    }
    if (this.#batched) return decodeV3ClientPayload(data, V3_MAX_CLIENT_MESSAGES);
    return [decodeV2ClientMessage(data)];
  }

  isCall(message: V2ClientMessage): boolean {
    return message.tag === 'CallReducer';
  }

  frames(payloads: readonly Payload[]): readonly Frame[] {
    const { compression } = this.init.params;
    return this.#batched
      ? batchedFrames(payloads, compression)
      : binaryFrames(payloads, compression);
  }

  protected welcome(): Payload {
    const { identity, token } = this.init;
    const connectionId = this.connection.connectionId;
    return encodeV2ServerMessage({ tag: 'InitialConnection', identity, connectionId, token });
  }

  #reply(message: V2ServerMessage): void {
    this.reply(encodeV2ServerMessage(message));
  }

  protected handle(message: V2ClientMessage): void | Promise<void> {
    switch (message.tag) {
      case 'CallReducer':
        return this.#call(message);
      case 'Subscribe':
        return this.#subscribe(message.requestId, message.querySetId, message.queryStrings);
      case 'Unsubscribe': {
        const withRows = message.flags === 'SendDroppedRows';
        return this.#unsubscribe(message.requestId, message.querySetId, withRows);
      }
      case 'OneOffQuery':
        return this.#oneOff(message.requestId, message.queryString);
      case 'CallProcedure':
        return this.#reply({
          tag: 'ProcedureResult',
          status: { tag: 'InternalError', message: noProcedure(message.procedure) },
          timestamp: nowMicros(),
          totalHostExecutionDurationMicros: 0n,
          requestId: message.requestId,
        });
    }
  }

  #call(message: Call): void {
    const { requestId, flags } = message;
    try {
      this.feed.call(this, this.connection, message.reducer, message.args, { requestId, flags });
    } catch (err) {
      this.session.callApplied();
      const text = this.errorText(err, 'reducer call');
      const error = err instanceof WasmbaseError ? `${err.code}: ${text}` : text;
      const result = { tag: 'InternalError', message: error } as const;
      this.#reply({ tag: 'ReducerResult', requestId, timestamp: nowMicros(), result });
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
    const { applied, ticket } = tx;
    if (this.session.closed) return;
    if (ticket === undefined) {
      if (tx.updates.length > 0) this.sendTransaction(this.#shared(tx.updates), tx);
      return;
    }
    const result: V2ReducerOutcome =
      applied.status === 'failed'
        ? failedOutcome(applied.error)
        : tx.updates.length === 0
          ? { tag: 'OkEmpty' }
          : {
              tag: 'Ok',
              retValue: new Uint8Array(0),
              transactionUpdate: transactionUpdateOf(tx.updates),
            };
    const { requestId } = ticket;
    const { timestamp } = applied.call;
    const message: V2ServerMessage = { tag: 'ReducerResult', requestId, timestamp, result };
    this.sendTransaction(encodeV2ServerMessage(message), tx);
  }

  #shared(updates: readonly ClientDelta[]): Payload {
    let payload = sharedUpdates.get(updates);
    if (payload === undefined) {
      const update = transactionUpdateOf(updates);
      payload = encodeV2ServerMessage({ tag: 'TransactionUpdate', ...update });
      sharedUpdates.set(updates, payload);
    }
    return payload;
  }

  querySetDropped(set: number, error: WasmbaseError, durable: DurableMark): void {
    const message = { tag: 'SubscriptionError', requestId: undefined, querySetId: set } as const;
    this.session.send(encodeV2ServerMessage({ ...message, error: error.message }), durable);
  }

  async #subscribe(requestId: number, querySetId: number, sqls: readonly string[]) {
    let rows: QueryRows[];
    try {
      rows = await this.feed.subscribeSliced(this, querySetId, sqls, false, this.subscribeOptions);
    } catch (err) {
      if (this.session.closed) return;
      const error = this.errorText(err, 'subscribe');
      this.#reply({ tag: 'SubscriptionError', requestId, querySetId, error });
      return;
    }
    if (this.session.closed) return;
    this.#reply({ tag: 'SubscribeApplied', requestId, querySetId, rows: queryRowsOf(rows) });
  }

  #unsubscribe(requestId: number, querySetId: number, withRows: boolean): void {
    try {
      const dropped = this.feed.unsubscribe(this, querySetId, withRows);
      const rows = withRows ? queryRowsOf(dropped) : undefined;
      this.#reply({ tag: 'UnsubscribeApplied', requestId, querySetId, rows });
    } catch (err) {
      const error = this.errorText(err, 'unsubscribe');
      this.#reply({ tag: 'SubscriptionError', requestId, querySetId, error });
    }
  }

  async #oneOff(requestId: number, sql: string): Promise<void> {
    let tables: QueryTable[];
    try {
      tables = await this.connection.oneOffQuerySliced(sql, this.queryOptions);
    } catch (err) {
      if (this.session.closed) return;
      const message = this.errorText(err, 'one-off query');
      this.#reply({ tag: 'OneOffQueryResult', requestId, result: { tag: 'Err', message } });
      return;
    }
    if (this.session.closed) return;
    const rows = { tables: tables.map(t => ({ table: t.tableName, rows: t.rows })) };
    this.#reply({ tag: 'OneOffQueryResult', requestId, result: { tag: 'Ok', rows } });
  }
}
