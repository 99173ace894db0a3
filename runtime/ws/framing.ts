/**
 * @module
 * Encoded messages into frames: v1.json payloads are text frames; binary payloads get the
 * compression tag byte (and compression above 1 KiB when the client asked); v3 first packs
 * consecutive messages into payloads of at most 512 KiB. A payload sent to many clients (the
 * same array) is framed once per compression: frames are memoised by payload identity.
 *
 * A big payload (`ASYNC_COMPRESSION_MIN_BYTES`, more than a v3 frame packs, so it always goes
 * alone in its frame) can be framed ahead, off the main thread, with `prepareFrame`: the frame
 * lands in the memo and the flush finds it there.
 */
import { packV3Payloads, type WsCompression } from '../protocol/index.js';
import {
  ASYNC_COMPRESSION_MIN_BYTES,
  frameServerPayload,
  frameServerPayloadAsync,
} from './frame-compression.js';
import type { Frame, Payload } from './session.js';

const memo: Record<WsCompression, WeakMap<Uint8Array, Uint8Array>> = {
  None: new WeakMap(),
  Gzip: new WeakMap(),
  Brotli: new WeakMap(),
};

function framed(payload: Uint8Array, compression: WsCompression): Uint8Array {
  const seen = memo[compression];
  let frame = seen.get(payload);
  if (frame === undefined) seen.set(payload, (frame = frameServerPayload(payload, compression)));
  return frame;
}

/**
 * Frames a big binary payload ahead with asynchronous compression; resolves once the frame is
 * memoised. Undefined when there is nothing to do ahead (small, text or uncompressed).
 */
export function prepareFrame(
  payload: Payload,
  compression: WsCompression,
): Promise<void> | undefined {
  if (typeof payload === 'string' || compression === 'None') return undefined;
  if (payload.length < ASYNC_COMPRESSION_MIN_BYTES || memo[compression].has(payload)) {
    return undefined;
  }
  return frameServerPayloadAsync(payload, compression).then(frame => {
    memo[compression].set(payload, frame);
  });
}

function binary(payload: Payload): Uint8Array {
  if (typeof payload === 'string') throw new TypeError('a binary protocol sent a text payload');
  return payload;
}

/** One text frame per payload (v1.json). */
export function textFrames(payloads: readonly Payload[]): Frame[] {
  return payloads.map(data => ({ data, binary: typeof data !== 'string' }));
}

/** One binary frame per payload (v1.bsatn, v2). */
export function binaryFrames(payloads: readonly Payload[], compression: WsCompression): Frame[] {
  return payloads.map(p => ({ data: framed(binary(p), compression), binary: true }));
}

/** v3: consecutive payloads packed into frames of at most 512 KiB uncompressed. */
export function batchedFrames(payloads: readonly Payload[], compression: WsCompression): Frame[] {
  return binaryFrames(packV3Payloads(payloads.map(binary)), compression);
}
