/**
 * @module
 * v3 (`v3.bsatn.spacetimedb`) is v2 with batching: one WebSocket payload holds one or more v2
 * messages back to back, in order, with no count or length in front (each BSATN message knows
 * where it ends). Server payloads still get one compression tag byte per frame, in front of the
 * whole batch.
 *
 * The decoders read until the payload is used up; an empty payload is `PROTOCOL_DECODE` (a v3
 * payload holds at least one message), and the server caps how many client messages one payload
 * may carry. Offsets in errors count from the start of the payload. `packV3Payloads` batches
 * already-encoded server messages into as few payloads as fit the coalescing limit.
 */
import { BsatnReader } from '../bsatn-reader.js';
import { ScratchWriter } from '../bsatn-writer.js';
import { WasmbaseError } from '../error.js';
import { decodeError } from '../wire-read.js';
import { readV2ClientMessage, writeV2ClientMessage } from './ws-v2-client.js';
import { readV2ServerMessage } from './ws-v2-server-decode.js';
import {
  V3_MAX_COALESCED_BYTES,
  type V2ClientMessage,
  type V2ServerMessage,
} from './ws-v2-messages.js';

const scratch = new ScratchWriter(1024);

function expectNotEmpty(bytes: Uint8Array, what: string): void {
  if (bytes.length === 0)
    decodeError(`${what}: empty at offset 0; a v3 payload holds at least one message`, {
      offset: 0,
    });
}

/**
 * The client messages of one v3 payload, in order. Empty payloads, more than `maxMessages`
 * messages, and a malformed or truncated message are `PROTOCOL_DECODE`.
 */
export function decodeV3ClientPayload(bytes: Uint8Array, maxMessages: number): V2ClientMessage[] {
  expectNotEmpty(bytes, 'v3 client payload');
  const r = new BsatnReader(bytes);
  const out: V2ClientMessage[] = [];
  while (r.remaining > 0) {
    if (out.length >= maxMessages)
      decodeError(
        `v3 client payload: more than ${maxMessages} messages ` +
          `(the next starts at offset ${r.offset}); the limit is ${maxMessages}`,
        { offset: r.offset, limit: maxMessages },
      );
    out.push(readV2ClientMessage(r));
  }
  return out;
}

/** One v3 payload holding `messages` back to back (at least one). */
export function encodeV3ClientPayload(messages: readonly V2ClientMessage[]): Uint8Array {
  if (messages.length === 0)
    throw new WasmbaseError('INVALID_ARGUMENT', 'a v3 payload holds at least one message');
  const w = scratch.begin();
  for (const msg of messages) writeV2ClientMessage(w, msg);
  return scratch.finish();
}

/** The server messages of one v3 payload (after the compression tag byte), in order. */
export function decodeV3ServerPayload(bytes: Uint8Array): V2ServerMessage[] {
  expectNotEmpty(bytes, 'v3 server payload');
  const r = new BsatnReader(bytes);
  const out: V2ServerMessage[] = [];
  while (r.remaining > 0) out.push(readV2ServerMessage(r));
  return out;
}

/**
 * Concatenates encoded server messages, in order, into as few payloads as possible, each at
 * most `max` bytes (uncompressed). A message larger than `max` goes alone in its own payload;
 * a payload of one message is that message's own array, not a copy.
 */
export function packV3Payloads(
  encoded: readonly Uint8Array[],
  max: number = V3_MAX_COALESCED_BYTES,
): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let start = 0;
  while (start < encoded.length) {
    let size = encoded[start]!.length;
    let end = start + 1;
    while (end < encoded.length && size + encoded[end]!.length <= max) {
      size += encoded[end]!.length;
      end++;
    }
    payloads.push(end - start === 1 ? encoded[start]! : concat(encoded, start, end, size));
    start = end;
  }
  return payloads;
}

function concat(parts: readonly Uint8Array[], start: number, end: number, size: number) {
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = start; i < end; i++) {
    out.set(parts[i]!, at);
    at += parts[i]!.length;
  }
  return out;
}
