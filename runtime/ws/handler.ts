/**
 * @module
 * What the v1 and v2 handlers share: a session over the socket, the connection (its identity
 * and `client_connected`/`client_disconnected`), membership of the database's feed, and the
 * rule for when each kind of message may leave:
 * - a caller's own result: once its transaction is durable, always;
 * - row updates of other clients' transactions: once durable with confirmed reads, at once
 *   without them (`confirmed=false`);
 * - replies (subscriptions, one-off queries): once what they read is durable (confirmed), or at
 *   once.
 * A big binary reply is also held until its frame is compressed off the main thread
 * (`prepareFrame`); messages sent after it wait behind it, so order never changes.
 */
import {
  DurableMark,
  type ClientTransaction,
  type Connection,
  type DatabaseFeed,
  type FeedClient,
  type FeedEnd,
  type Feeds,
  type ResultLimit,
  type SliceOptions,
} from '../api/index.js';
import type { Logger } from '../log/index.js';
import {
  toWasmbaseError,
  wsCloseCodeFor,
  WS_CLOSE,
  type Identity,
  type WasmbaseError,
} from '../protocol/index.js';
import { prepareFrame } from './framing.js';
import type { WsParams } from './negotiate.js';
import {
  WsSession,
  type Frame,
  type Payload,
  type SessionHandler,
  type SessionLimits,
  type WsSocket,
} from './session.js';

export interface HandlerDeps {
  readonly feeds: Feeds;
  readonly limits: SessionLimits;
  /** Most rows of one result (`--sql-row-limit`). */
  readonly rowLimit: number;
  /** Bytes of one one-off query result (`--ws-max-query-bytes`). */
  readonly queryLimit: ResultLimit;
  /** Bytes of one subscribe request's initial rows (`--ws-max-subscribe-bytes`). */
  readonly subscribeLimit: ResultLimit;
  /** How big results are sliced (tests make slices small). */
  readonly slice?: SliceOptions;
  readonly logger: Logger;
}

/** Who connected, and how. */
export interface HandlerInit {
  readonly identity: Identity;
  readonly isOwner: boolean;
  readonly token: string;
  readonly params: WsParams;
}

/** The answer to a procedure call: wasmbase modules have none yet. */
export function noProcedure(name: string): string {
  return `no procedure "${name.slice(0, 80)}": wasmbase modules have reducers only`;
}

const FEED_END: Record<FeedEnd, readonly [number, string]> = {
  'module-updated': [WS_CLOSE.SERVICE_RESTART, 'the database module was updated; reconnect'],
  deleted: [WS_CLOSE.GOING_AWAY, 'the database was deleted'],
  shutdown: [WS_CLOSE.GOING_AWAY, 'the server is shutting down'],
};

/** A handler as the route sees it, whatever its protocol's request type. */
export interface ConnectionHandler extends FeedClient {
  readonly session: { readonly closed: boolean; close(code: number, reason: string): void };
  /** Decodes a frame and queues its requests; a frame that does not decode closes the socket. */
  onFrame(data: Uint8Array, isBinary: boolean): void;
  start(connection: Connection, feed: DatabaseFeed): void;
  closed(): Promise<void>;
}

export abstract class WsHandler<R> implements FeedClient, SessionHandler<R>, ConnectionHandler {
  readonly session: WsSession<R>;
  readonly identity: Identity;
  readonly isOwner: boolean;
  protected readonly deps: HandlerDeps;
  protected readonly init: HandlerInit;
  #connection: Connection | undefined;
  #feed: DatabaseFeed | undefined;

  constructor(socket: WsSocket, deps: HandlerDeps, init: HandlerInit) {
    this.session = new WsSession(socket, deps.limits, this);
    this.identity = init.identity;
    this.isOwner = init.isOwner;
    this.deps = deps;
    this.init = init;
  }

  /** Decodes one frame into requests; throws PROTOCOL_DECODE (close 1007) or UNSUPPORTED. */
  abstract decode(data: Uint8Array, isBinary: boolean): readonly R[];
  abstract isCall(request: R): boolean;
  abstract frames(payloads: readonly Payload[]): readonly Frame[];
  abstract transaction(tx: ClientTransaction): void;
  abstract querySetDropped(set: number, error: WasmbaseError, durable: DurableMark): void;
  /** The first message: the client's identity, token and connection id. */
  protected abstract welcome(): Payload;
  /**
   * Handles one request (errors it cannot answer in-protocol are thrown, or reject); a promise
   * holds back this client's later requests until it settles.
   */
  protected abstract handle(request: R): void | Promise<void>;

  protected get connection(): Connection {
    if (this.#connection === undefined) throw new TypeError('the handler has not started');
    return this.#connection;
  }

  protected get feed(): DatabaseFeed {
    if (this.#feed === undefined) throw new TypeError('the handler has not started');
    return this.#feed;
  }

  /** The connection was accepted (`client_connected` ran): greet, then handle what queued. */
  start(connection: Connection, feed: DatabaseFeed): void {
    this.#connection = connection;
    this.#feed = feed;
    this.session.send(this.welcome());
    this.session.markReady();
  }

  onFrame(data: Uint8Array, isBinary: boolean): void {
    if (this.session.closed) return;
    let requests: readonly R[];
    try {
      requests = this.decode(data, isBinary);
    } catch (err) {
      const error = toWasmbaseError(err);
      if (error.code === 'INTERNAL') this.deps.logger.error('websocket decode failed', { err });
      this.session.close(wsCloseCodeFor(error.code), error.message);
      return;
    }
    this.session.receive(requests);
  }

  dispatch(request: R): void | Promise<void> {
    try {
      const pending = this.handle(request);
      if (pending !== undefined) return pending.catch((err: unknown) => this.#failed(err));
    } catch (err) {
      this.#failed(err);
    }
  }

  #failed(err: unknown): void {
    this.deps.logger.error('websocket message failed', { err });
    const why = 'internal error handling the message (see the server log)';
    this.session.close(WS_CLOSE.POLICY_VIOLATION, why);
  }

  feedEnded(reason: FeedEnd): void {
    const [code, why] = FEED_END[reason];
    this.#feed = undefined;
    this.session.close(code, why);
  }

  /** The socket closed: leave the feed, then `client_disconnected`. */
  async closed(): Promise<void> {
    this.session.markClosed();
    if (this.#feed !== undefined) this.deps.feeds.leave(this.#feed, this);
    this.#feed = undefined;
    await this.#connection?.close();
  }

  /**
   * Sends a reply: after what it read is durable when reads are confirmed, and after its frame
   * is compressed when it is big.
   */
  protected reply(payload: Payload): void {
    const durable = this.init.params.confirmed ? this.feed.lastDurable : undefined;
    const framing = prepareFrame(payload, this.init.params.compression);
    if (framing === undefined) return this.session.send(payload, durable);
    const ready = durable === undefined ? framing : Promise.all([durable.promise, framing]);
    this.session.send(payload, new DurableMark(ready.then(() => undefined)));
  }

  /** The byte limit and slicing of a one-off query. */
  protected get queryOptions() {
    const { rowLimit, queryLimit, slice } = this.deps;
    return slice === undefined
      ? { rowLimit, limit: queryLimit }
      : { rowLimit, limit: queryLimit, slice };
  }

  /** The byte limit and slicing of a subscribe request's rows. */
  protected get subscribeOptions() {
    const { subscribeLimit, slice } = this.deps;
    return slice === undefined ? { limit: subscribeLimit } : { limit: subscribeLimit, slice };
  }

  /** Sends a transaction's message: the caller's after durability, others' per `confirmed`. */
  protected sendTransaction(payload: Payload, tx: ClientTransaction): void {
    const gated = tx.ticket !== undefined || this.init.params.confirmed;
    this.session.send(payload, gated ? tx.durable : undefined);
  }

  /** A client-facing message for an error: internal details stay in the server log. */
  protected errorText(err: unknown, what: string): string {
    const error = toWasmbaseError(err);
    if (error.code !== 'INTERNAL') return error.message;
    this.deps.logger.error(`${what} failed`, { err });
    return 'internal error (see the server log)';
  }
}
