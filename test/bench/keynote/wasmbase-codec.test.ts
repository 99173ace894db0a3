import { describe, expect, it } from 'vitest';
import type { ServerMessage, TransferCall } from '../../../bench/keynote/client-codec.js';
import { transferArgs, wasmbaseV1Codec } from '../../../bench/keynote/wasmbase-v1-codec.js';
import {
  MAX_V3_CLIENT_FRAME_BYTES,
  V3_CALLS_PER_FRAME,
  wasmbaseV2Codec,
  wasmbaseV3Codec,
} from '../../../bench/keynote/wasmbase-v2-codec.js';
import {
  BsatnWriter,
  ConnectionId,
  decodeClientMessageBsatn,
  decodeV2ClientMessage,
  decodeV3ClientPayload,
  encodeV2ServerMessage,
  Identity,
  packV3Payloads,
  type V2ServerMessage,
} from '../../../runtime/protocol/index.js';
import { frameServerPayload } from '../../../runtime/ws/frame-compression.js';
import { expectDecodeError } from '../../protocol/wire-test-helpers.js';

const calls = (n: number, firstId = 1): TransferCall[] =>
  Array.from({ length: n }, (_, i) => ({
    requestId: firstId + i,
    from: i,
    to: i + 1,
    amount: 1n,
  }));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bsatnString = (s: string) => {
  const w = new BsatnWriter();
  w.writeString(s);
  return w.toBytes();
};
const result = (
  requestId: number,
  outcome: Extract<V2ServerMessage, { tag: 'ReducerResult' }>['result'],
): V2ServerMessage => ({
  tag: 'ReducerResult',
  requestId,
  timestamp: 1_700_000_000_000_000n,
  result: outcome,
});
const greeting: V2ServerMessage = {
  tag: 'InitialConnection',
  identity: Identity.ZERO,
  connectionId: ConnectionId.ZERO,
  token: 't',
};
const outcomes: V2ServerMessage[] = [
  greeting,
  result(1, { tag: 'OkEmpty' }),
  result(2, { tag: 'Ok', retValue: new Uint8Array(0), transactionUpdate: { querySets: [] } }),
  result(3, { tag: 'Err', error: bsatnString('insufficient_funds') }),
  result(4, { tag: 'InternalError', message: 'worker died' }),
  result(5, { tag: 'Err', error: new Uint8Array([1, 2]) }),
  { tag: 'TransactionUpdate', querySets: [] },
];
const expected: ServerMessage[] = [
  { kind: 'greeting' },
  { kind: 'answer', requestId: 1, error: null },
  { kind: 'answer', requestId: 2, error: null },
  { kind: 'answer', requestId: 3, error: 'insufficient_funds' },
  { kind: 'answer', requestId: 4, error: 'internal error: worker died' },
  {
    kind: 'answer',
    requestId: 5,
    error: 'failed (an error value of 2 bytes that is not a string)',
  },
  { kind: 'other' },
];

describe('keynote wasmbase client codecs', () => {
  it('v1: one CallReducer frame per call with BSATN transfer arguments', () => {
    const frames = wasmbaseV1Codec.encodeCalls(calls(3, 7));
    expect(frames).toHaveLength(3);
    expect(decodeClientMessageBsatn(frames[0]!)).toMatchObject({
      tag: 'CallReducer',
      reducer: 'transfer',
      requestId: 7,
      flags: 0,
    });
    expect(hex(transferArgs(1, 2, 1n))).toBe('01000000' + '02000000' + '0100000000000000');
  });

  it('v2: one frame per call, byte for byte the layout of a v2 CallReducer', () => {
    const [frame, ...rest] = wasmbaseV2Codec.encodeCalls([
      { requestId: 7, from: 1, to: 2, amount: 1n },
    ]);
    expect(rest).toEqual([]);
    expect(hex(frame!)).toBe(
      '03' +
        '07000000' +
        '00' +
        '08000000' +
        hex(new TextEncoder().encode('transfer')) +
        '10000000' +
        '01000000' +
        '02000000' +
        '0100000000000000',
    );
    expect(wasmbaseV2Codec.encodeCalls(calls(3))).toHaveLength(3);
    expect(wasmbaseV2Codec.subprotocols).toEqual(['v2.bsatn.spacetimedb']);
  });

  it('v2: reads each server message, greeting and every reducer outcome', () => {
    const decoded = outcomes.map(m =>
      wasmbaseV2Codec.decode(frameServerPayload(encodeV2ServerMessage(m), 'None')),
    );
    expect(decoded).toEqual(expected.map(m => [m]));
  });

  it('v3: a burst of calls is one frame holding the v2 messages in order', () => {
    const burst = calls(40, 100);
    const frames = wasmbaseV3Codec.encodeCalls(burst);
    expect(frames).toHaveLength(1);
    const messages = decodeV3ClientPayload(frames[0]!, 1_000);
    expect(messages.map(m => m.requestId)).toEqual(burst.map(c => c.requestId));
    expect(messages[0]).toEqual(
      decodeV2ClientMessage(wasmbaseV2Codec.encodeCalls([burst[0]!])[0]!),
    );
    expect(wasmbaseV3Codec.subprotocols).toEqual(['v3.bsatn.spacetimedb']);
  });

  it('v3: frames stay within the SDK bound of 256 KiB', () => {
    const frames = wasmbaseV3Codec.encodeCalls(calls(V3_CALLS_PER_FRAME + 1));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.length).toBeLessThanOrEqual(MAX_V3_CLIENT_FRAME_BYTES);
    expect(frames[0]!.length).toBeGreaterThan(MAX_V3_CLIENT_FRAME_BYTES - 64);
    expect(decodeV3ClientPayload(frames[1]!, 10)).toHaveLength(1);
  });

  it('v3: reads every message of a server frame, in order', () => {
    const payloads = packV3Payloads(outcomes.map(encodeV2ServerMessage));
    expect(payloads).toHaveLength(1);
    expect(wasmbaseV3Codec.decode(frameServerPayload(payloads[0]!, 'None'))).toEqual(expected);
  });

  it('refuses frames outside the protocol with PROTOCOL_DECODE', () => {
    const frames = [new Uint8Array(0), new Uint8Array([0, 0xee]), new Uint8Array([9, 0])];
    for (const codec of [wasmbaseV1Codec, wasmbaseV2Codec, wasmbaseV3Codec])
      for (const frame of frames)
        expectDecodeError(() => codec.decode(frame), /frame|tag|payload|message/);
  });
});
