/**
 * A raw WebSocket test client for the v2 and v3 protocols, over the `ws` package and our own
 * codec. It connects to `/v1/database/<db>/subscribe` offering one subprotocol
 * (`v2.bsatn.spacetimedb` or `v3.bsatn.spacetimedb`), sends `V2ClientMessage`s (with v3, several
 * may share one frame), and queues every server message decoded: the compression byte removed,
 * v3 payloads split into their messages. `next(tag?)` takes the next message, `until(tag)` skips
 * to the next one with that tag; both fail after a bounded wait. `closed` resolves with the close
 * code and reason.
 */
import WebSocket from 'ws';
import {
  decodeV2ServerMessage,
  decodeV3ServerPayload,
  encodeV2ClientMessage,
  encodeV3ClientPayload,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type V2ClientMessage,
  type V2ServerMessage,
} from '../../runtime/protocol/index.js';
import { unframeServerPayload } from '../../runtime/ws/frame-compression.js';
import { openSocket } from './ws-open.js';

export type V2Subprotocol = typeof WS_PROTOCOL_V2_BSATN | typeof WS_PROTOCOL_V3_BSATN;
export type V2Tag = V2ServerMessage['tag'];
export type V2Message<T extends V2Tag> = Extract<V2ServerMessage, { tag: T }>;

export interface V2ClientOptions {
  /** The one subprotocol offered (default v2). */
  readonly protocol?: V2Subprotocol;
  /** Sent as `Authorization: Bearer`. */
  readonly token?: string;
  /** The query string without `?` (default `compression=None`). */
  readonly query?: string;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

const DEFAULT_WAIT_MS = 5000;

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return new Uint8Array(data);
}

export class TestV2Client {
  /** Raw binary frames as received, compression byte included. */
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly #queue: V2ServerMessage[] = [];
  /** Pending waits, woken by every arrival and by the close. */
  readonly #wakers = new Set<() => void>();
  #failure: Error | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The subprotocol the server chose. */
    readonly protocol: string,
  ) {
    this.closed = new Promise(resolve =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wakeAll();
      }),
    );
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary));
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    try {
      if (!isBinary) throw new Error(`a text frame on ${this.protocol}: ${bytesOf(data).length} B`);
      const frame = bytesOf(data);
      this.frames.push(frame);
      const payload = unframeServerPayload(frame);
      if (this.protocol === WS_PROTOCOL_V3_BSATN)
        this.#queue.push(...decodeV3ServerPayload(payload));
      else this.#queue.push(decodeV2ServerMessage(payload));
    } catch (err) {
      this.#failure ??= err instanceof Error ? err : new Error(String(err));
    }
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of this.#wakers) wake();
  }

  /** Sends the messages: with v3 in one frame, with v2 one frame each. */
  send(...messages: V2ClientMessage[]): void {
    if (this.protocol === WS_PROTOCOL_V3_BSATN) this.socket.send(encodeV3ClientPayload(messages));
    else for (const m of messages) this.socket.send(encodeV2ClientMessage(m));
  }

  /** Sends bytes as one binary frame, as they are. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  /** The next message; with `tag`, it must have that tag. Fails after `ms`. */
  async next<T extends V2Tag>(tag?: T, ms = DEFAULT_WAIT_MS): Promise<V2Message<T>> {
    const msg = await this.#take(ms, tag ?? 'message');
    if (tag !== undefined && msg.tag !== tag)
      throw new Error(`expected ${tag}, got ${msg.tag}: ${summary(msg)}`);
    return msg as V2Message<T>;
  }

  /** Skips messages until one with `tag` arrives (the skipped are dropped). Fails after `ms`. */
  async until<T extends V2Tag>(tag: T, ms = DEFAULT_WAIT_MS): Promise<V2Message<T>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const msg = await this.#take(Math.max(0, deadline - Date.now()), tag);
      if (msg.tag === tag) return msg as V2Message<T>;
    }
  }

  async #take(ms: number, what: string): Promise<V2ServerMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      const msg = this.#queue.shift();
      if (msg !== undefined) return msg;
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED)
        throw new Error(`no ${what} within ${ms} ms (socket state ${this.socket.readyState})`);
      await new Promise<void>(resolve => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#wakers.add(wake);
      });
    }
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
}

/** A short description of a message for failure output (bigints and bytes printed). */
function summary(msg: V2ServerMessage): string {
  const text = JSON.stringify(msg, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} B>` : v,
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Opens a connection; resolves once the socket is open (the first message is not yet read). */
export function openV2(
  baseUrl: string,
  database: string,
  options: V2ClientOptions = {},
): Promise<TestV2Client> {
  const protocol = options.protocol ?? WS_PROTOCOL_V2_BSATN;
  return openSocket(baseUrl, database, protocol, options, s => new TestV2Client(s, s.protocol));
}
