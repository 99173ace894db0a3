/**
 * @module
 * Compression of server→client binary frames, the zlib half of `runtime/protocol/ws-frame.ts`
 * (which holds the tag bytes, the 1 KiB threshold and the inflation cap, and stays portable).
 * A frame is one compression tag byte then the payload; a payload over 1 KiB is compressed when
 * the client asked for it, brotli at quality 1 and gzip at level 1 (speed over ratio, as
 * SpacetimeDB does). Inflation is capped so a small hostile frame cannot grow into unbounded
 * memory; every failure is `PROTOCOL_DECODE`. `decompressBytes` is a `Decompressor`, the function
 * the v1 decoder takes for compressed query updates.
 *
 * Payloads of `ASYNC_COMPRESSION_MIN_BYTES` or more (big query results) are compressed with the
 * asynchronous zlib calls instead (`frameServerPayloadAsync`), on libuv's thread pool, so the
 * main thread keeps serving while they are; the bytes are the same.
 */
import { promisify } from 'node:util';
import {
  brotliCompress,
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzip,
  gzipSync,
  type BrotliOptions,
} from 'node:zlib';
import {
  frameCompressionFor,
  frameTagOf,
  MAX_DECOMPRESSED_BYTES,
  splitServerFrame,
  WasmbaseError,
  type WsCompression,
} from '../protocol/index.js';

function asPlainBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Payloads at least this big are compressed off the main thread. */
export const ASYNC_COMPRESSION_MIN_BYTES = 1024 * 1024;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress) as (
  bytes: Uint8Array,
  options: BrotliOptions,
) => Promise<Buffer>;

function brotliOptions(length: number): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_SIZE_HINT]: length,
    },
  };
}

/** Compresses `bytes` with gzip (level 1) or brotli (quality 1). */
export function compressBytes(bytes: Uint8Array, compression: 'Gzip' | 'Brotli'): Uint8Array {
  if (compression === 'Gzip') return asPlainBytes(gzipSync(bytes, { level: 1 }));
  return asPlainBytes(brotliCompressSync(bytes, brotliOptions(bytes.length)));
}

/** `compressBytes` on libuv's thread pool. */
export async function compressBytesAsync(
  bytes: Uint8Array,
  compression: 'Gzip' | 'Brotli',
): Promise<Uint8Array> {
  const out =
    compression === 'Gzip'
      ? await gzipAsync(bytes, { level: 1 })
      : await brotliAsync(bytes, brotliOptions(bytes.length));
  return asPlainBytes(out);
}

/** Node's error code when inflated output would pass `maxOutputLength`. */
function isOutputTooLarge(err: unknown): boolean {
  return err instanceof RangeError && 'code' in err && err.code === 'ERR_BUFFER_TOO_LARGE';
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
    const reason = isOutputTooLarge(err)
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

function tagged(body: Uint8Array, used: WsCompression): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = frameTagOf(used);
  out.set(body, 1);
  return out;
}

/** Prefixes `payload` with its compression tag; compresses when asked and it is over 1 KiB. */
export function frameServerPayload(payload: Uint8Array, compression: WsCompression): Uint8Array {
  const used = frameCompressionFor(payload.length, compression);
  return tagged(used === 'None' ? payload : compressBytes(payload, used), used);
}

/** `frameServerPayload` with the compression on libuv's thread pool (the same bytes). */
export async function frameServerPayloadAsync(
  payload: Uint8Array,
  compression: WsCompression,
): Promise<Uint8Array> {
  const used = frameCompressionFor(payload.length, compression);
  return tagged(used === 'None' ? payload : await compressBytesAsync(payload, used), used);
}

/** The payload of a server frame, decompressed; unknown tags, corrupt data: `PROTOCOL_DECODE`. */
export function unframeServerPayload(frame: Uint8Array): Uint8Array {
  const { compression, body } = splitServerFrame(frame);
  if (compression === 'None') return body;
  return decompressBytes(body, compression, 'server frame');
}
