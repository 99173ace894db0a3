/**
 * @module
 * Server→client binary frames: one compression tag byte (0 none, 1 brotli, 2 gzip) then the
 * BSATN payload. Like SpacetimeDB, a payload is compressed only when it is larger than 1 KiB and
 * the client asked for compression; brotli runs at quality 1 (speed over ratio). Decompression is
 * capped so a small hostile frame cannot inflate into unbounded memory.
 */
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzipSync,
} from 'node:zlib';
import { WasmbaseError } from './error.js';
import type { WsCompression } from './ws-messages.js';

export const FRAME_TAG_NONE = 0;
export const FRAME_TAG_BROTLI = 1;
export const FRAME_TAG_GZIP = 2;

/** Payloads of at most this many bytes are never compressed. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** Largest payload a compressed frame (or compressed query update) may inflate to. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

function asPlainBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Compresses `bytes` with gzip (level 1) or brotli (quality 1). */
export function compressBytes(bytes: Uint8Array, compression: 'Gzip' | 'Brotli'): Uint8Array {
  if (compression === 'Gzip') return asPlainBytes(gzipSync(bytes, { level: 1 }));
  return asPlainBytes(
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 1,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
}

/** Inflates gzip or brotli data; corrupt data or output beyond `maxBytes` is `PROTOCOL_DECODE`. */
export function decompressBytes(
  bytes: Uint8Array,
  compression: 'Gzip' | 'Brotli',
  what: string,
  maxBytes = MAX_DECOMPRESSED_BYTES,
): Uint8Array {
  try {
    const out =
      compression === 'Gzip'
        ? gunzipSync(bytes, { maxOutputLength: maxBytes })
        : brotliDecompressSync(bytes, { maxOutputLength: maxBytes });
    return asPlainBytes(out);
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    const reason = tooLarge
      ? `inflates beyond the limit of ${maxBytes} bytes`
      : `is not valid ${compression.toLowerCase()} data`;
    throw new WasmbaseError(
      'PROTOCOL_DECODE',
      `${what}: ${compression} data ${reason}`,
      { limit: maxBytes },
      { cause: err },
    );
  }
}

/** Prefixes `payload` with its compression tag, compressing when asked and the payload is > 1 KiB. */
export function frameServerPayload(payload: Uint8Array, compression: WsCompression): Uint8Array {
  if (compression === 'None' || payload.length <= COMPRESSION_THRESHOLD_BYTES) {
    const out = new Uint8Array(payload.length + 1);
    out[0] = FRAME_TAG_NONE;
    out.set(payload, 1);
    return out;
  }
  const packed = compressBytes(payload, compression);
  const out = new Uint8Array(packed.length + 1);
  out[0] = compression === 'Gzip' ? FRAME_TAG_GZIP : FRAME_TAG_BROTLI;
  out.set(packed, 1);
  return out;
}

/** The payload of a server frame, decompressed. Unknown tags and corrupt data are `PROTOCOL_DECODE`. */
export function unframeServerPayload(frame: Uint8Array): Uint8Array {
  if (frame.length === 0)
    throw new WasmbaseError(
      'PROTOCOL_DECODE',
      'server frame: empty, expected a compression tag byte at offset 0',
    );
  const tag = frame[0]!;
  const body = frame.subarray(1);
  switch (tag) {
    case FRAME_TAG_NONE:
      return body;
    case FRAME_TAG_BROTLI:
      return decompressBytes(body, 'Brotli', 'server frame');
    case FRAME_TAG_GZIP:
      return decompressBytes(body, 'Gzip', 'server frame');
    default:
      throw new WasmbaseError(
        'PROTOCOL_DECODE',
        `server frame: unknown compression tag ${tag} at offset 0 (expected 0 none, 1 brotli or 2 gzip)`,
      );
  }
}
