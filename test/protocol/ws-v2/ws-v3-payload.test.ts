import { describe, expect, it } from 'vitest';
import {
  decodeV2ServerMessage,
  decodeV3ClientPayload,
  decodeV3ServerPayload,
  encodeV2ClientMessage,
  encodeV2ServerMessage,
  encodeV3ClientPayload,
  packV3Payloads,
  V3_MAX_COALESCED_BYTES,
  WasmbaseError,
  type V2ClientMessage,
  type V2ServerMessage,
} from '../../../runtime/protocol/index.js';
import { expectDecodeError, hex } from '../wire-test-helpers.js';
import { CLIENT_CASES, SERVER_CASES, TS } from './ws-v2-fixtures.js';

/** Client message `i` of a long batch: the fixture variants in turn, with request id `i`. */
function clientMessage(i: number): V2ClientMessage {
  const base = CLIENT_CASES[i % CLIENT_CASES.length]![1]();
  return { ...base, requestId: i };
}

/** An encoded server message of exactly `size` bytes: a ReducerResult whose Err holds padding. */
function serverMessageOfSize(size: number, fill: number): Uint8Array {
  const overhead = 1 + 4 + 8 + 1 + 4; // tag, request id, timestamp, outcome tag, bytes length
  const error = new Uint8Array(size - overhead).fill(fill);
  const msg: V2ServerMessage = {
    tag: 'ReducerResult',
    requestId: fill,
    timestamp: TS,
    result: { tag: 'Err', error },
  };
  const bytes = encodeV2ServerMessage(msg);
  expect(bytes.length).toBe(size);
  return bytes;
}

const KIB = 1024;

describe('v3 client payloads', () => {
  it('1,000 messages in one payload decode in order, byte for byte the v2 encodings', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => clientMessage(i));
    const payload = encodeV3ClientPayload(messages);
    expect(hex(payload)).toBe(messages.map(m => hex(encodeV2ClientMessage(m))).join(''));
    expect(decodeV3ClientPayload(payload, 1000)).toEqual(messages);
  });

  it('a payload of one message is that message', () => {
    const msg = clientMessage(3);
    expect(decodeV3ClientPayload(encodeV2ClientMessage(msg), 1)).toEqual([msg]);
  });

  it('refuses an empty payload', () => {
    expectDecodeError(
      () => decodeV3ClientPayload(new Uint8Array(), 10),
      /v3 client payload: empty at offset 0; a v3 payload holds at least one message/,
    );
    expect(() => encodeV3ClientPayload([])).toThrow(WasmbaseError);
  });

  it('refuses more messages than the limit, naming where the first extra one starts', () => {
    const messages = Array.from({ length: 11 }, (_, i) => clientMessage(i));
    const payload = encodeV3ClientPayload(messages);
    const tenth = messages.slice(0, 10).reduce((n, m) => n + encodeV2ClientMessage(m).length, 0);
    expectDecodeError(
      () => decodeV3ClientPayload(payload, 10),
      new RegExp(`more than 10 messages \\(the next starts at offset ${tenth}\\); the limit is 10`),
    );
    expect(decodeV3ClientPayload(payload, 11)).toHaveLength(11);
  });

  it('refuses a truncated last message, with its offset in the whole payload', () => {
    const messages = [clientMessage(0), clientMessage(1)];
    const payload = encodeV3ClientPayload(messages);
    const first = encodeV2ClientMessage(messages[0]!).length;
    expectDecodeError(
      () => decodeV3ClientPayload(payload.subarray(0, payload.length - 1), 10),
      /truncated input/,
    );
    // Only the tag of the second message survives: its request id is missing at `first + 1`.
    expectDecodeError(
      () => decodeV3ClientPayload(payload.subarray(0, first + 1), 10),
      new RegExp(`need 4 bytes for u32 at offset ${first + 1}, have 0`),
    );
  });
});

describe('v3 server payloads', () => {
  it('the messages of every fixture, packed into one payload, decode in order', () => {
    const messages = SERVER_CASES.map(([, make]) => make());
    const payloads = packV3Payloads(messages.map(encodeV2ServerMessage));
    expect(payloads).toHaveLength(1);
    expect(decodeV3ServerPayload(payloads[0]!)).toEqual(messages);
  });

  it('refuses an empty payload and a truncated last message', () => {
    expectDecodeError(() => decodeV3ServerPayload(new Uint8Array()), /v3 server payload: empty/);
    const payload = packV3Payloads([serverMessageOfSize(40, 1), serverMessageOfSize(40, 2)])[0]!;
    expectDecodeError(() => decodeV3ServerPayload(payload.subarray(0, 79)), /truncated input/);
  });
});

describe('packV3Payloads', () => {
  it('fills payloads exactly to the limit, in order, and starts a new one after', () => {
    const quarter = V3_MAX_COALESCED_BYTES / 4;
    const messages = [1, 2, 3, 4, 5].map(i => serverMessageOfSize(quarter, i));
    const payloads = packV3Payloads(messages);
    expect(payloads.map(p => p.length)).toEqual([V3_MAX_COALESCED_BYTES, quarter]);
    const ids = payloads.map(p =>
      decodeV3ServerPayload(p).map(m => m.tag === 'ReducerResult' && m.requestId),
    );
    expect(ids).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('a message over 512 KiB goes alone, as itself, between its neighbours', () => {
    const small = serverMessageOfSize(100, 1);
    const big = serverMessageOfSize(V3_MAX_COALESCED_BYTES + 1, 2);
    const after = serverMessageOfSize(100, 3);
    const payloads = packV3Payloads([small, big, after]);
    expect(payloads).toHaveLength(3);
    expect(payloads[1]).toBe(big);
    expect(payloads.map(p => decodeV3ServerPayload(p).length)).toEqual([1, 1, 1]);
    expect(decodeV2ServerMessage(payloads[1]!)).toMatchObject({ requestId: 2 });
  });

  it('a message of exactly the limit goes alone; a neighbour fits only up to the limit', () => {
    const exact = serverMessageOfSize(V3_MAX_COALESCED_BYTES, 1);
    const tiny = serverMessageOfSize(20, 2);
    expect(packV3Payloads([exact, tiny]).map(p => p.length)).toEqual([V3_MAX_COALESCED_BYTES, 20]);
    const almost = serverMessageOfSize(V3_MAX_COALESCED_BYTES - 20, 3);
    expect(packV3Payloads([almost, tiny]).map(p => p.length)).toEqual([V3_MAX_COALESCED_BYTES]);
    expect(packV3Payloads([almost, tiny, tiny]).map(p => p.length)).toEqual([
      V3_MAX_COALESCED_BYTES,
      20,
    ]);
  });

  it('honours a smaller limit, and returns nothing for nothing', () => {
    const m = [1, 2, 3].map(i => serverMessageOfSize(30, i));
    expect(packV3Payloads(m, 64).map(p => p.length)).toEqual([60, 30]);
    expect(packV3Payloads([], 64)).toEqual([]);
    expect(hex(packV3Payloads(m, 64)[0]!)).toBe(hex(m[0]!) + hex(m[1]!));
    expect(KIB * 512).toBe(V3_MAX_COALESCED_BYTES);
  });
});
