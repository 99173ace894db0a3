/**
 * @module
 * The trivial binary protocol of the comparison servers (node-pg, lmdb-raw): one WebSocket binary
 * message per call and per answer, each carrying the client's request id so a client can keep
 * many calls in flight and match answers that come back in any order.
 *
 *   request (20 bytes): u32 requestId · u32 from · u32 to · i64 amount      (little-endian)
 *   answer  (5+ bytes): u32 requestId · u8 status (0 committed, 1 failed) · UTF-8 error text
 */

export const REQUEST_BYTES = 20;
/** Longest error text an answer carries (longer texts are cut). */
export const MAX_ERROR_BYTES = 256;
/** Largest message either side accepts; anything else is a protocol error. */
export const MAX_MESSAGE_BYTES = 5 + MAX_ERROR_BYTES;

export const STATUS_COMMITTED = 0;
export const STATUS_FAILED = 1;

export interface TransferRequest {
  readonly requestId: number;
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

export interface TransferAnswer {
  readonly requestId: number;
  /** null when committed, else why it failed. */
  readonly error: string | null;
}

export function encodeRequest(
  requestId: number,
  from: number,
  to: number,
  amount: bigint,
): Uint8Array {
  const out = new Uint8Array(REQUEST_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, requestId, true);
  view.setUint32(4, from, true);
  view.setUint32(8, to, true);
  view.setBigInt64(12, amount, true);
  return out;
}

/** Throws a RangeError naming the problem when `bytes` is not a request. */
export function decodeRequest(bytes: Uint8Array): TransferRequest {
  if (bytes.length !== REQUEST_BYTES)
    throw new RangeError(`a transfer request is ${REQUEST_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    requestId: view.getUint32(0, true),
    from: view.getUint32(4, true),
    to: view.getUint32(8, true),
    amount: view.getBigInt64(12, true),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeAnswer(requestId: number, error: string | null): Uint8Array {
  const text =
    error === null ? new Uint8Array(0) : encoder.encode(error).subarray(0, MAX_ERROR_BYTES);
  const out = new Uint8Array(5 + text.length);
  new DataView(out.buffer).setUint32(0, requestId, true);
  out[4] = error === null ? STATUS_COMMITTED : STATUS_FAILED;
  out.set(text, 5);
  return out;
}

/** Throws a RangeError naming the problem when `bytes` is not an answer. */
export function decodeAnswer(bytes: Uint8Array): TransferAnswer {
  if (bytes.length < 5 || bytes.length > MAX_MESSAGE_BYTES)
    throw new RangeError(`an answer is 5 to ${MAX_MESSAGE_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const status = bytes[4];
  if (status !== STATUS_COMMITTED && status !== STATUS_FAILED)
    throw new RangeError(`unknown answer status ${status}`);
  return {
    requestId: view.getUint32(0, true),
    error: status === STATUS_COMMITTED ? null : decoder.decode(bytes.subarray(5)) || 'failed',
  };
}
