import { describe, expect, it } from 'vitest';
import {
  decodeAnswer,
  decodeRequest,
  encodeAnswer,
  encodeRequest,
  MAX_ERROR_BYTES,
} from '../../../bench/keynote/wire.js';

describe('comparison-server wire format', () => {
  it('round-trips requests and answers', () => {
    const bytes = encodeRequest(0xfffffffe, 7, 99_999, 1n);
    expect(Buffer.from(bytes).toString('hex')).toBe(
      'feffffff07000000' + '9f860100' + '0100000000000000',
    );
    expect(decodeRequest(bytes)).toEqual({
      requestId: 0xfffffffe,
      from: 7,
      to: 99_999,
      amount: 1n,
    });
    expect(decodeAnswer(encodeAnswer(5, null))).toEqual({ requestId: 5, error: null });
    expect(decodeAnswer(encodeAnswer(6, 'insufficient_funds'))).toEqual({
      requestId: 6,
      error: 'insufficient_funds',
    });
  });

  it('cuts long error texts and refuses malformed messages', () => {
    expect(encodeAnswer(1, 'x'.repeat(1000)).length).toBe(5 + MAX_ERROR_BYTES);
    expect(() => decodeRequest(new Uint8Array(19))).toThrow(/20 bytes, got 19/);
    expect(() => decodeAnswer(new Uint8Array(4))).toThrow(/5 to/);
    const bad = encodeAnswer(1, null);
    bad[4] = 9;
    expect(() => decodeAnswer(bad)).toThrow(/unknown answer status 9/);
  });
});
