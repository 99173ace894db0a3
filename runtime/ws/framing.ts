/**
 * @module
 * Encoded messages into frames: v1.json payloads are text frames; binary payloads get the
 * compression tag byte (and compression above 1 KiB when the client asked); v3 first packs
 * consecutive messages into payloads of at most 512 KiB. A payload sent to many clients (the
 * same array) is framed once per compression: frames are memoised by payload identity.
 */
import { packV3Payloads, type WsCompression } from '../protocol/index.js';
import { frameServerPayload } from './frame-compression.js';
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
