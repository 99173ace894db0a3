/**
 * @module
 * One WebSocket connection: its identity and negotiated encoding, the messages it sent that are
 * not handled yet, its subscriptions, and its outbound side (sends honour the backpressure
 * limit: a client that does not read is disconnected instead of slowing anybody else).
 *
 * Request order: reducer calls are dispatched at once (clients pipeline them), but any other
 * request waits until this client's earlier calls are applied, so every reply leaves in the order
 * the requests came in and a subscription's first rows include the client's own earlier calls.
 */
import { WS_CLOSE } from '../errors.js';
import type { CompiledSubscription } from '../subscribe/index.js';
import type { ClientMessage, ConnectionId, Identity, ServerMessage } from '../protocol/index.js';
import { encodeFrame, type WsEncoding, type WsFrame } from './ws-encode.js';
import type { DatabaseFeed } from './ws-feed.js';

/** The part of uWS's WebSocket a session uses (tests can fake it). */
export interface WsSocket {
  send(data: Uint8Array | string, isBinary: boolean): number;
  getBufferedAmount(): number;
  end(code: number, reason: string): void;
  cork(cb: () => void): unknown;
}

/**
 * Sends are gathered and written once per turn of the event loop, each session's frames in one
 * corked write: when the server is busy, several transactions' updates to a client leave in one
 * system call instead of one each.
 */
class SendScheduler {
  readonly #dirty = new Set<WsSession>();
  #scheduled = false;

  add(session: WsSession): void {
    this.#dirty.add(session);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const sessions = [...this.#dirty];
      this.#dirty.clear();
      for (const s of sessions) s.flush();
    });
  }
}

const scheduler = new SendScheduler();

export interface WsLimits {
  /** Outbound bytes buffered before the client is disconnected (`--ws-max-backpressure-bytes`). */
  readonly maxBufferedBytes: number;
  /** Reducer calls of one client executing at once; later ones wait in its queue. */
  readonly maxInflightCalls: number;
  /** Messages waiting in one client's queue before it is disconnected (`--ws-max-queued-messages`). */
  readonly maxQueuedMessages: number;
  /** Subscribed queries per client (`--ws-max-subscriptions`). */
  readonly maxSubscriptions: number;
}

/** A reducer call of this session on its way through the executor. */
export interface CallTicket {
  readonly session: WsSession;
  readonly requestId: number;
  readonly flags: number;
  readonly reducer: string;
  /** Set once the call's outcome was taken from an applied batch. */
  applied: boolean;
}

/** One subscribed query of a session, under the query set it was subscribed with. */
export interface SessionQuery {
  readonly session: WsSession;
  /** `legacy` for `Subscribe`, else the client's query id. */
  readonly set: number | 'legacy';
  readonly query: CompiledSubscription;
}

export class WsSession {
  readonly identity: Identity;
  readonly token: string;
  readonly connectionId: ConnectionId;
  readonly encoding: WsEncoding;
  readonly light: boolean;
  readonly isOwner: boolean;
  /** Sessions with equal keys get byte-identical non-caller updates for the same deltas. */
  readonly encodingKey: string;
  readonly feed: DatabaseFeed;
  readonly #socket: WsSocket;
  readonly #limits: WsLimits;
  /** Messages not handled yet, in arrival order. */
  readonly #inbound: ClientMessage[] = [];
  /** Queries by query set. */
  readonly querySets = new Map<number | 'legacy', SessionQuery[]>();
  /** Reducer calls dispatched and not yet applied. */
  unappliedCalls = 0;
  /** False until `client_connected` succeeded and `IdentityToken` was sent. */
  #ready = false;
  #closed = false;
  /** Frames waiting for the next flush. */
  #outbox: WsFrame[] = [];

  constructor(init: {
    identity: Identity;
    token: string;
    connectionId: ConnectionId;
    encoding: WsEncoding;
    light: boolean;
    isOwner: boolean;
    feed: DatabaseFeed;
    socket: WsSocket;
    limits: WsLimits;
  }) {
    this.identity = init.identity;
    this.token = init.token;
    this.connectionId = init.connectionId;
    this.encoding = init.encoding;
    this.light = init.light;
    this.isOwner = init.isOwner;
    this.encodingKey = `${init.encoding.format}/${init.encoding.compression}/${init.light ? 'light' : 'full'}/`;
    this.feed = init.feed;
    this.#socket = init.socket;
    this.#limits = init.limits;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get limits(): WsLimits {
    return this.#limits;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const qs of this.querySets.values()) n += qs.length;
    return n;
  }

  /** Called once the connection is accepted: handles what queued up meanwhile. */
  markReady(): void {
    this.#ready = true;
    this.pump();
  }

  /** Queues a decoded message and handles what can be handled now. */
  receive(message: ClientMessage): void {
    if (this.#closed) return;
    if (this.#inbound.length >= this.#limits.maxQueuedMessages) {
      this.close(
        WS_CLOSE.POLICY_VIOLATION,
        `more than ${this.#limits.maxQueuedMessages} messages queued (--ws-max-queued-messages)`,
      );
      return;
    }
    this.#inbound.push(message);
    this.pump();
  }

  /** Handles queued messages while their turn has come. */
  pump(): void {
    while (this.#ready && !this.#closed) {
      const next = this.#inbound[0];
      if (next === undefined) return;
      if (next.tag === 'CallReducer') {
        if (this.unappliedCalls >= this.#limits.maxInflightCalls) return;
      } else if (this.unappliedCalls > 0) return;
      this.#inbound.shift();
      this.feed.dispatch(this, next);
    }
  }

  /** Encodes `message` for this client. */
  encode(message: ServerMessage): WsFrame {
    return encodeFrame(message, this.encoding, this.feed.schema);
  }

  /** Queues a frame for the next flush (the feed decides the order and when it is due). */
  send(frame: WsFrame): void {
    if (this.#closed) return;
    this.#outbox.push(frame);
    if (this.#outbox.length === 1) scheduler.add(this);
  }

  /** Writes the queued frames; a client over its buffer limit is disconnected instead. */
  flush(): void {
    const frames = this.#outbox;
    this.#outbox = [];
    if (this.#closed || frames.length === 0) return;
    if (this.#socket.getBufferedAmount() > this.#limits.maxBufferedBytes) {
      this.close(
        WS_CLOSE.POLICY_VIOLATION,
        `client too slow: over ${this.#limits.maxBufferedBytes} bytes unread (--ws-max-backpressure-bytes)`,
      );
      return;
    }
    this.#socket.cork(() => {
      for (const f of frames) this.#socket.send(f.data, f.binary);
    });
  }

  /** Closes the socket with a reason (at most 123 bytes, as the protocol allows). */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const bytes = Buffer.from(reason);
    try {
      this.#socket.end(
        code,
        bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString() + '…',
      );
    } catch {
      // Already closed by the peer.
    }
  }

  /** The socket closed (by either side): nothing more is sent. */
  markClosed(): void {
    this.#closed = true;
    this.#inbound.length = 0;
    this.#outbox = [];
  }
}
