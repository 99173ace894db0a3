/** A WebSocket test client speaking v1.bsatn or v1.json through our own codec, with a queue. */
import type WebSocket from 'ws';
import {
  decodeServerMessageBsatn,
  decodeServerMessageJson,
  encodeClientMessageBsatn,
  encodeClientMessageJson,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  type ClientMessage,
  type JsonServerMessage,
  type ServerMessage,
} from '../../runtime/protocol/index.js';
import { decompressBytes, unframeServerPayload } from '../../runtime/ws/frame-compression.js';
import { openSocket } from './ws-open.js';

export interface WsClientOptions {
  readonly token?: string;
  readonly query?: string;
  readonly format?: 'bsatn' | 'json';
  /** The local address to connect from. */
  readonly localAddress?: string;
}

interface Closed {
  readonly code: number;
  readonly reason: string;
}

export class TestWsClient<M = ServerMessage> {
  readonly socket: WebSocket;
  readonly format: 'bsatn' | 'json';
  readonly #queue: M[] = [];
  readonly #waiters: ((m: M) => void)[] = [];
  /** Raw frames as received (binary frames include the compression tag). */
  readonly frames: (Buffer | string)[] = [];
  closed: Promise<Closed>;

  constructor(socket: WebSocket, format: 'bsatn' | 'json') {
    this.socket = socket;
    this.format = format;
    this.closed = new Promise(resolve =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? Buffer.from(data as Buffer) : (data as Buffer).toString('utf8');
      this.frames.push(raw);
      const message = (
        typeof raw === 'string'
          ? decodeServerMessageJson(raw)
          : decodeServerMessageBsatn(unframeServerPayload(new Uint8Array(raw)), decompressBytes)
      ) as M;
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) waiter(message);
      else this.#queue.push(message);
    });
  }

  send(message: ClientMessage): void {
    if (this.format === 'json') this.socket.send(encodeClientMessageJson(message));
    else this.socket.send(encodeClientMessageBsatn(message));
  }

  /** The next message (fails after `ms`). */
  next(ms = 5000): Promise<M> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no message within ${ms} ms`));
      }, ms);
      const waiter = (m: M) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  close(): void {
    this.socket.close();
  }
}

/** Opens a connection; resolves once the socket is open (the first message is not yet read). */
export function openWs(
  baseUrl: string,
  database: string,
  options: WsClientOptions = {},
): Promise<TestWsClient<ServerMessage>> {
  const format = options.format ?? 'bsatn';
  const protocol = format === 'json' ? WS_PROTOCOL_V1_JSON : WS_PROTOCOL_V1_BSATN;
  return openSocket(baseUrl, database, protocol, options, s => new TestWsClient(s, format));
}

export type { JsonServerMessage };
