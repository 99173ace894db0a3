/**
 * @module
 * The pure half of server→client binary frames, shared by every protocol version: one
 * compression tag byte (0 none, 1 brotli, 2 gzip) then the payload. Like SpacetimeDB, a payload
 * is compressed only when it is larger than 1 KiB and the client asked for compression.
 *
 * Compressing and inflating need zlib, which a browser client does not have as a synchronous
 * API, so they live in `runtime/ws/frame-compression.ts`; code here that meets compressed data
 * (the v1 decoder's compressed query updates) takes a `Decompressor` as a parameter instead.
 */
import { WasmbaseError } from './error.js';

/** The compression a client asked for (`?compression=`). */
export type WsCompression = 'None' | 'Gzip' | 'Brotli';

export const FRAME_TAG_NONE = 0;
export const FRAME_TAG_BROTLI = 1;
export const FRAME_TAG_GZIP = 2;

/** Payloads of at most this many bytes are never compressed. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** Largest payload a compressed frame (or compressed query update) may inflate to. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * Inflates `bytes`; corrupt data or output beyond `maxBytes` must be thrown as
 * `PROTOCOL_DECODE` whose message starts with `what`.
 */
export type Decompressor = (
  bytes: Uint8Array,
  compression: 'Gzip' | 'Brotli',
  what: string,
  maxBytes: number,
) => Uint8Array;

/** The compression a payload of `length` bytes is sent with, given what the client asked for. */
export function frameCompressionFor(length: number, asked: WsCompression): WsCompression {
  return length <= COMPRESSION_THRESHOLD_BYTES ? 'None' : asked;
}

/** The tag byte of a frame compressed with `compression`. */
export function frameTagOf(compression: WsCompression): number {
  if (compression === 'None') return FRAME_TAG_NONE;
  return compression === 'Gzip' ? FRAME_TAG_GZIP : FRAME_TAG_BROTLI;
}

/** A frame's compression and its (still compressed) body; empty frames and unknown tags throw. */
export function splitServerFrame(frame: Uint8Array): {
  readonly compression: WsCompression;
  readonly body: Uint8Array;
} {
  if (frame.length === 0)
    throw new WasmbaseError(
      'PROTOCOL_DECODE',
      'server frame: empty, expected a compression tag byte at offset 0',
      { offset: 0 },
    );
  const tag = frame[0]!;
  const body = frame.subarray(1);
  if (tag === FRAME_TAG_NONE) return { compression: 'None', body };
  if (tag === FRAME_TAG_BROTLI) return { compression: 'Brotli', body };
  if (tag === FRAME_TAG_GZIP) return { compression: 'Gzip', body };
  throw new WasmbaseError(
    'PROTOCOL_DECODE',
    `server frame: unknown compression tag ${tag} at offset 0 ` +
      '(expected 0 none, 1 brotli or 2 gzip)',
    { offset: 0 },
  );
}
