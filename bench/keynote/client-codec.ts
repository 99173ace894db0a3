/**
 * @module
 * How a load-generator client reaches a target. Two kinds of connection:
 *
 * - `ws`: the harness's own WebSocket client with a codec per wire protocol — the subprotocol,
 *   whether the server greets first, how a burst of transfer calls becomes frames (one frame per
 *   call, or fewer where the protocol batches: v3) and how a frame's answers are recognised;
 * - `sdk`: the official SpacetimeDB SDK 2.x `DbConnection` with our bank bindings
 *   (load-sdk-client.ts), which does its own framing.
 *
 * A spec is plain data, so it crosses `postMessage` to the load-generator threads, which pick
 * the codec by name.
 */
import { decodeAnswer, encodeRequest } from './wire.js';

export interface TransferCall {
  readonly requestId: number;
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

export type ServerMessage =
  | { readonly kind: 'answer'; readonly requestId: number; readonly error: string | null }
  | { readonly kind: 'greeting' }
  | { readonly kind: 'other' };

export interface ClientCodec {
  readonly subprotocols: readonly string[];
  /** Whether calls wait for the server's greeting (v1 `IdentityToken`, v2 `InitialConnection`). */
  readonly greets: boolean;
  /** The frames carrying `calls`, in order: one per call, or fewer when the protocol batches. */
  encodeCalls(calls: readonly TransferCall[]): Uint8Array[];
  /** The messages of one server frame, in order; throws on a frame outside the protocol. */
  decode(frame: Uint8Array): ServerMessage[];
}

/** Codecs of the `ws` client: the comparison servers' protocol, and wasmbase's per version. */
export const WS_CODEC_NAMES = ['simple', 'wasmbase-v1', 'wasmbase-v2', 'wasmbase-v3'] as const;
export type WsCodecName = (typeof WS_CODEC_NAMES)[number];

export interface WsConnectionSpec {
  readonly kind: 'ws';
  readonly url: string;
  readonly codec: WsCodecName;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SdkConnectionSpec {
  readonly kind: 'sdk';
  /** `http://127.0.0.1:<port>`: the SDK derives the WebSocket URL and the token exchange. */
  readonly uri: string;
  readonly database: string;
  /** A long-lived token; the SDK swaps it for a short-lived one at connect. */
  readonly token: string;
  /** The only subprotocol the client offers (the SDK would offer v3, then v2). */
  readonly protocol: 'v2' | 'v3';
}

export type ConnectionSpec = WsConnectionSpec | SdkConnectionSpec;

/** The comparison servers' protocol (wire.ts): one frame per call and per answer. */
export const simpleCodec: ClientCodec = {
  subprotocols: [],
  greets: false,
  encodeCalls: calls => calls.map(c => encodeRequest(c.requestId, c.from, c.to, c.amount)),
  decode(frame) {
    const a = decodeAnswer(frame);
    return [{ kind: 'answer', requestId: a.requestId, error: a.error }];
  },
};
