/**
 * How a load-generator client talks to a target: the WebSocket subprotocol and headers, whether
 * the server greets first, how a transfer call is encoded and how an answer is recognised.
 */
import { decodeAnswer, encodeRequest } from './wire.js';

export type ServerMessage =
  | { readonly kind: 'answer'; readonly requestId: number; readonly error: string | null }
  | { readonly kind: 'greeting' }
  | { readonly kind: 'other' };

export interface ClientCodec {
  readonly subprotocols: readonly string[];
  /** When true, calls wait for the server's greeting (e.g. v1 `IdentityToken`). */
  readonly greets: boolean;
  encodeTransfer(requestId: number, from: number, to: number, amount: bigint): Uint8Array;
  /** Throws on a message that is not part of the protocol. */
  decode(message: Uint8Array): ServerMessage;
}

/** What the harness sends to load-generator threads (plain data, so it crosses postMessage). */
export interface ConnectionSpec {
  readonly url: string;
  readonly codec: 'simple' | 'wasmbase';
  readonly headers: Readonly<Record<string, string>>;
}

/** The comparison servers' protocol (wire.ts). */
export const simpleCodec: ClientCodec = {
  subprotocols: [],
  greets: false,
  encodeTransfer: encodeRequest,
  decode(message) {
    const a = decodeAnswer(message);
    return { kind: 'answer', requestId: a.requestId, error: a.error };
  },
};
