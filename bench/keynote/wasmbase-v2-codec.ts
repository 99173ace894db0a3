/**
 * @module
 * The wasmbase client side of the load generator for `v2.bsatn.spacetimedb` and
 * `v3.bsatn.spacetimedb`, through the project's own v2 codec. A call is a v2
 * `CallReducer('transfer', [from u32, to u32, amount i64])`; its answer is the `ReducerResult`
 * with the call's request id: `Ok`/`OkEmpty` committed, `Err` (a BSATN string) or
 * `InternalError` failed. The server greets each connection with `InitialConnection` first.
 *
 * v2 sends one frame per call. v3 packs a burst of calls (one refill of a client's pipeline)
 * into one frame, as the official SDK 2.x does with the calls of one tick, under the same
 * 256 KiB bound; server frames may hold several messages, read until used up.
 */
import {
  BsatnReader,
  decodeV2ServerMessage,
  decodeV3ServerPayload,
  encodeV2ClientMessage,
  encodeV3ClientPayload,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type V2ClientMessage,
  type V2ReducerOutcome,
  type V2ServerMessage,
} from '../../runtime/protocol/index.js';
import { unframeServerPayload } from '../../runtime/ws/frame-compression.js';
import type { ClientCodec, ServerMessage, TransferCall } from './client-codec.js';
import { transferArgs } from './wasmbase-v1-codec.js';

/** The official SDK's bound on one v3 client frame. */
export const MAX_V3_CLIENT_FRAME_BYTES = 256 * 1024;
/** A v2 transfer `CallReducer`: tag · request id · flags · "transfer" · 16 argument bytes. */
const TRANSFER_MESSAGE_BYTES = 1 + 4 + 1 + (4 + 8) + (4 + 16);
/** Calls per v3 frame that keep it within the bound. */
export const V3_CALLS_PER_FRAME = Math.floor(MAX_V3_CLIENT_FRAME_BYTES / TRANSFER_MESSAGE_BYTES);

function callMessage(c: TransferCall): V2ClientMessage {
  return {
    tag: 'CallReducer',
    requestId: c.requestId,
    flags: 0,
    reducer: 'transfer',
    args: transferArgs(c.from, c.to, c.amount),
  };
}

/** The text of an `Err` outcome: a BSATN string, else its size. */
function errText(bytes: Uint8Array): string {
  try {
    const reader = new BsatnReader(bytes);
    const text = reader.readString();
    reader.expectEnd('reducer error');
    return text || 'failed';
  } catch {
    return `failed (an error value of ${bytes.length} bytes that is not a string)`;
  }
}

function outcomeError(outcome: V2ReducerOutcome): string | null {
  switch (outcome.tag) {
    case 'Ok':
    case 'OkEmpty':
      return null;
    case 'Err':
      return errText(outcome.error);
    case 'InternalError':
      return `internal error: ${outcome.message}`;
  }
}

function toMessage(message: V2ServerMessage): ServerMessage {
  switch (message.tag) {
    case 'InitialConnection':
      return { kind: 'greeting' };
    case 'ReducerResult':
      return { kind: 'answer', requestId: message.requestId, error: outcomeError(message.result) };
    default:
      return { kind: 'other' };
  }
}

export const wasmbaseV2Codec: ClientCodec = {
  subprotocols: [WS_PROTOCOL_V2_BSATN],
  greets: true,
  encodeCalls: calls => calls.map(c => encodeV2ClientMessage(callMessage(c))),
  decode: frame => [toMessage(decodeV2ServerMessage(unframeServerPayload(frame)))],
};

export const wasmbaseV3Codec: ClientCodec = {
  subprotocols: [WS_PROTOCOL_V3_BSATN],
  greets: true,
  encodeCalls(calls) {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < calls.length; i += V3_CALLS_PER_FRAME)
      frames.push(encodeV3ClientPayload(calls.slice(i, i + V3_CALLS_PER_FRAME).map(callMessage)));
    return frames;
  },
  decode: frame => decodeV3ServerPayload(unframeServerPayload(frame)).map(toMessage),
};
