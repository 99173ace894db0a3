import { describe, expect, it } from 'vitest';
import {
  decodeV2ClientMessage,
  encodeV2ClientMessage,
  WS_LIMITS,
  type V2ClientMessage,
} from '../../../runtime/protocol/index.js';
import { bstr, expectDecodeError, fromHex, h, hex, le32 } from '../wire-test-helpers.js';
import { CLIENT_CASES, TRANSFER_ARGS } from './ws-v2-fixtures.js';

describe('v2 client messages: golden bytes', () => {
  for (const [name, make, fields] of CLIENT_CASES) {
    it(`${name}: encodes to the bytes of the layout and decodes back`, () => {
      const encoded = encodeV2ClientMessage(make());
      expect(hex(encoded)).toBe(h(...fields));
      expect(decodeV2ClientMessage(encoded)).toEqual(make());
    });
  }

  it('decoded args are copies, not views of the (reused) receive buffer', () => {
    const input = fromHex(h(...CLIENT_CASES[4]![2]));
    const msg = decodeV2ClientMessage(input);
    input.fill(0xee);
    expect(msg.tag === 'CallReducer' && hex(msg.args)).toBe(hex(TRANSFER_ARGS));
  });
});

describe('v2 client messages: hostile input', () => {
  it('rejects unknown tags, empty input, truncation and trailing bytes, naming the offset', () => {
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex('05')),
      /client message: unknown tag 5 at offset 0 \(expected 0\.\.4\)/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(new Uint8Array()),
      /truncated input: need 1 bytes for u8 at offset 0/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('01', le32(8), '0300'))),
      /truncated input: need 4 bytes for u32 at offset 5, have 2/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('01', le32(8), le32(3), '00', 'ff'))),
      /Unsubscribe message: 1 unexpected trailing bytes at offset 10/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('02', le32(1), le32(100), '41'))),
      /truncated input: need 100 bytes/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('02', le32(1), le32(2), 'c328'))),
      /OneOffQuery\.query_string: invalid UTF-8 in string at offset 9/,
    );
  });

  it('rejects unknown Unsubscribe flags and non-zero call flags', () => {
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('01', le32(8), le32(3), '02'))),
      /Unsubscribe\.flags: unknown tag 2 at offset 9 \(expected 0\.\.1\)/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('03', le32(1), '01', bstr('f'), le32(0)))),
      /CallReducer\.flags: invalid flags 1 at offset 5 \(allowed 0\.\.0\)/,
    );
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('04', le32(1), '07', bstr('f'), le32(0)))),
      /CallProcedure\.flags: invalid flags 7 at offset 5/,
    );
  });

  const subscribe = (queryStrings: string[]): V2ClientMessage => ({
    tag: 'Subscribe',
    requestId: 1,
    querySetId: 2,
    queryStrings,
  });

  it('holds Subscribe to WS_LIMITS: 64 query strings of at most 64 KiB', () => {
    const many = Array.from({ length: WS_LIMITS.queryStrings + 1 }, () => 'q');
    expectDecodeError(
      () => decodeV2ClientMessage(encodeV2ClientMessage(subscribe(many))),
      /Subscribe\.query_strings at offset 9 has 65 query strings; the limit is 64/,
    );
    const sixtyFour = subscribe(many.slice(1));
    expect(decodeV2ClientMessage(encodeV2ClientMessage(sixtyFour))).toEqual(sixtyFour);
    const long = 'x'.repeat(WS_LIMITS.queryStringBytes + 1);
    expectDecodeError(
      () => decodeV2ClientMessage(encodeV2ClientMessage(subscribe(['a', long]))),
      /Subscribe\.query_strings\[1\] at offset 18 is 65537 bytes; the limit is 65536/,
    );
    const longest = subscribe(['x'.repeat(WS_LIMITS.queryStringBytes)]);
    expect(decodeV2ClientMessage(encodeV2ClientMessage(longest))).toEqual(longest);
  });

  it('refuses a Subscribe count that the bytes left cannot hold, before allocating', () => {
    expectDecodeError(
      () => decodeV2ClientMessage(fromHex(h('00', le32(1), le32(2), le32(10), bstr('q')))),
      /Subscribe\.query_strings: 10 query strings exceed the input at offset 13/,
    );
  });

  it('holds OneOffQuery to 64 KiB and reducer and procedure names to 256 bytes', () => {
    const query = 'x'.repeat(WS_LIMITS.queryStringBytes + 1);
    expectDecodeError(
      () =>
        decodeV2ClientMessage(
          encodeV2ClientMessage({ tag: 'OneOffQuery', requestId: 1, queryString: query }),
        ),
      /OneOffQuery\.query_string at offset 5 is 65537 bytes; the limit is 65536/,
    );
    const name = 'é'.repeat(129); // 258 UTF-8 bytes
    const args = new Uint8Array();
    expectDecodeError(
      () =>
        decodeV2ClientMessage(
          encodeV2ClientMessage({
            tag: 'CallReducer',
            requestId: 1,
            flags: 0,
            reducer: name,
            args,
          }),
        ),
      /CallReducer\.reducer at offset 6 is 258 bytes; the limit is 256/,
    );
    expectDecodeError(
      () =>
        decodeV2ClientMessage(
          encodeV2ClientMessage({
            tag: 'CallProcedure',
            requestId: 1,
            flags: 0,
            procedure: name,
            args,
          }),
        ),
      /CallProcedure\.procedure at offset 6 is 258 bytes; the limit is 256/,
    );
    const ok: V2ClientMessage = {
      tag: 'CallReducer',
      requestId: 1,
      flags: 0,
      reducer: 'r'.repeat(WS_LIMITS.nameBytes),
      args,
    };
    expect(decodeV2ClientMessage(encodeV2ClientMessage(ok))).toEqual(ok);
  });

  it('every decode failure is a WasmbaseError with details.offset', () => {
    try {
      decodeV2ClientMessage(fromHex(h('01', le32(8), le32(3), '09')));
      expect.unreachable('decoding should fail');
    } catch (err) {
      expect(err).toMatchObject({ code: 'PROTOCOL_DECODE', details: { offset: 9 } });
    }
  });
});
