/**
 * @module
 * One WebSocket connection, whatever its protocol: its inbound queue, its outbound queue, its
 * limits. The protocol handler that owns it decodes frames into requests, handles them, and
 * hands back encoded messages; the session decides when they go.
 *
 * Inbound order: reducer calls are dispatched at once (clients pipeline them, up to
 * `--ws-max-inflight-calls`), but any other request waits until this client's earlier calls are
 * applied, so every reply leaves in the order the requests came in and a subscription's first
 * rows include the client's own earlier calls. A request whose handling is asynchronous (a big
 * result read in slices) holds back every request after it until it is done.
 *
 * Outbound order: a message may be held until a transaction is durable (its `DurableMark`);
 * messages leave strictly in the order they were sent, so one held message holds back those
 * after it. A client whose unread bytes pass `--ws-max-backpressure-bytes` is disconnected
 * instead of slowing anybody else.
 */
import { WS_CLOSE } from '../protocol/index.js';
import type { DurableMark } from '../api/index.js';
import { sendScheduler } from './send-scheduler.js';

/** The part of uWS's WebSocket a session uses (tests can fake it). */
export interface WsSocket {
  send(data: Uint8Array | string, isBinary: boolean): number;
  getBufferedAmount(): number;
  end(code: number, reason: string): void;
  cork(cb: () => void): unknown;
}

/** An encoded server message: bytes for the binary protocols, text for v1.json. */
export type Payload = Uint8Array | string;

/** A WebSocket frame as written. */
export interface Frame {
  readonly data: Payload;
  readonly binary: boolean;
}

export interface SessionLimits {
  /** Outbound bytes buffered before the client is disconnected (`--ws-max-backpressure-bytes`). */
  readonly maxBufferedBytes: number;
  /** Reducer calls of one client executing at once; later ones wait in its queue. */
  readonly maxInflightCalls: number;
  /** Requests queued by one client before it is disconnected (`--ws-max-queued-messages`). */
  readonly maxQueuedMessages: number;
}

/** What a protocol handler gives its session. */
export interface SessionHandler<R> {
  /** True for reducer calls (pipelined); other requests wait for the calls before them. */
  isCall(request: R): boolean;
  /**
   * Handles one request whose turn has come; a promise (it never rejects) holds back the
   * requests after it until it settles.
   */
  dispatch(request: R): void | Promise<void>;
  /** The frames that carry `payloads`, in order (compression, v3 batching). */
  frames(payloads: readonly Payload[]): readonly Frame[];
}

/** The most bytes of a close reason (RFC 6455 allows 123). */
const MAX_REASON_BYTES = 123;
const utf8 = new TextEncoder();

function clipReason(reason: string): string {
  if (utf8.encode(reason).length <= MAX_REASON_BYTES) return reason;
  // By code point, so a character outside the BMP is never cut in half.
  const chars = [...reason];
  let bytes = utf8.encode('…').length;
  let kept = 0;
  while (kept < chars.length) {
    const size = utf8.encode(chars[kept]!).length;
    if (bytes + size > MAX_REASON_BYTES) break;
    bytes += size;
    kept++;
  }
  return chars.slice(0, kept).join('') + '…';
}

export class WsSession<R> {
  readonly #socket: WsSocket;
  readonly #limits: SessionLimits;
  readonly #handler: SessionHandler<R>;
  /** Requests not handled yet, in arrival order. */
  readonly #inbound: R[] = [];
  /** Reducer calls dispatched and not yet applied. */
  #unappliedCalls = 0;
  /** Messages waiting for a transaction to be durable, and those sent after them. */
  readonly #held: { payload: Payload; gate: DurableMark | undefined }[] = [];
  /** Messages due at the next flush. */
  #outbox: Payload[] = [];
  #ready = false;
  #closed = false;
  /** A request is being handled asynchronously. */
  #busy = false;

  constructor(socket: WsSocket, limits: SessionLimits, handler: SessionHandler<R>) {
    this.#socket = socket;
    this.#limits = limits;
    this.#handler = handler;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls dispatched and not applied yet. */
  get unappliedCalls(): number {
    return this.#unappliedCalls;
  }

  /** The connection is accepted: handles what queued up meanwhile. */
  markReady(): void {
    this.#ready = true;
    this.pump();
  }

  /** Queues decoded requests and handles what can be handled now. */
  receive(requests: readonly R[]): void {
    if (this.#closed) return;
    const max = this.#limits.maxQueuedMessages;
    if (this.#inbound.length + requests.length > max) {
      const why = `more than ${max} messages queued (--ws-max-queued-messages)`;
      this.close(WS_CLOSE.POLICY_VIOLATION, why);
      return;
    }
    this.#inbound.push(...requests);
    this.pump();
  }

  /** One of this client's calls was applied (its transaction reached the handler). */
  callApplied(): void {
    if (this.#unappliedCalls > 0) this.#unappliedCalls--;
    this.pump();
  }

  /** Handles queued requests while their turn has come. */
  pump(): void {
    while (this.#ready && !this.#closed && !this.#busy) {
      const next = this.#inbound[0];
      if (next === undefined) return;
      const call = this.#handler.isCall(next);
      if (call ? this.#unappliedCalls >= this.#limits.maxInflightCalls : this.#unappliedCalls > 0) {
        return;
      }
      this.#inbound.shift();
      if (call) this.#unappliedCalls++;
      const pending = this.#handler.dispatch(next);
      if (pending !== undefined) {
        this.#busy = true;
        void pending.finally(() => {
          this.#busy = false;
          this.pump();
        });
      }
    }
  }

  /** Sends `payload` once `gate` (if any) is durable, after everything sent before it. */
  send(payload: Payload, gate?: DurableMark): void {
    if (this.#closed) return;
    if (this.#held.length === 0 && (gate === undefined || gate.durable)) {
      this.#due(payload);
      return;
    }
    this.#held.push({ payload, gate });
    if (this.#held.length === 1) this.#release();
  }

  #due(payload: Payload): void {
    this.#outbox.push(payload);
    if (this.#outbox.length === 1) sendScheduler.add(this);
  }

  /** Moves held messages to the outbox up to the first whose transaction is not durable yet. */
  #release(): void {
    while (!this.#closed) {
      const head = this.#held[0];
      if (head === undefined) return;
      const gate = head.gate;
      if (gate !== undefined && !gate.durable) {
        if (gate.failed) {
          const why = 'a transaction could not be made durable; see the server log';
          this.close(WS_CLOSE.INTERNAL_ERROR, why);
          return;
        }
        const next = (): void => this.#release();
        gate.promise.then(next, next);
        return;
      }
      this.#held.shift();
      this.#due(head.payload);
    }
  }

  /** Writes the due messages; a client over its buffer limit is disconnected instead. */
  flush(): void {
    const payloads = this.#outbox;
    this.#outbox = [];
    if (this.#closed || payloads.length === 0) return;
    const max = this.#limits.maxBufferedBytes;
    if (this.#socket.getBufferedAmount() > max) {
      const why = `client too slow: over ${max} bytes unread (--ws-max-backpressure-bytes)`;
      this.close(WS_CLOSE.POLICY_VIOLATION, why);
      return;
    }
    const frames = this.#handler.frames(payloads);
    this.#socket.cork(() => {
      for (const f of frames) this.#socket.send(f.data, f.binary);
    });
  }

  /** Closes the socket with a reason (clipped to what the protocol allows). */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.end(code, clipReason(reason));
    } catch {
      // Already closed by the peer.
    }
  }

  /** The socket closed (by either side): nothing more is handled or sent. */
  markClosed(): void {
    this.#closed = true;
    this.#inbound.length = 0;
    this.#held.length = 0;
    this.#outbox = [];
  }
}
