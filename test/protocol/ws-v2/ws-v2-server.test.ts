import { describe, expect, it } from 'vitest';
import {
  decodeV2ServerMessage,
  encodeV2ServerMessage,
  type V2ServerMessage,
} from '../../../runtime/protocol/index.js';
import { MEMO_MIN_ROWS } from '../../../runtime/protocol/ws-v2/ws-v2-server-encode.js';
import { bstr, expectDecodeError, fromHex, h, hex, le32, le64 } from '../wire-test-helpers.js';
import { ROW0, ROW1, SERVER_CASES, TS } from './ws-v2-fixtures.js';

describe('v2 server messages: golden bytes', () => {
  for (const [name, make, fields] of SERVER_CASES) {
    it(`${name}: encodes to the bytes of the layout and decodes back`, () => {
      const encoded = encodeV2ServerMessage(make());
      expect(hex(encoded)).toBe(h(...fields));
      expect(decodeV2ServerMessage(encoded)).toEqual(make());
    });
  }

  it('the caller reply of notes §2.8 framed without compression: 00 06 <id> <ts> 01', () => {
    const payload = encodeV2ServerMessage({
      tag: 'ReducerResult',
      requestId: 7,
      timestamp: TS,
      result: { tag: 'OkEmpty' },
    });
    expect(hex(Uint8Array.of(0, ...payload))).toBe(h('00', '06', le32(7), le64(TS), '01'));
  });
});

describe('v2 server messages: row lists are encoded once per array', () => {
  const applied = (rows: readonly Uint8Array[]): V2ServerMessage => ({
    tag: 'SubscribeApplied',
    requestId: 1,
    querySetId: 2,
    rows: { tables: [{ table: 'accounts', rows }] },
  });

  const rowsOf = (n: number): Uint8Array[] =>
    Array.from({ length: n }, (_, i) => Uint8Array.of(i, ...ROW0.subarray(1)));

  it('a row array shared by many messages is read once: later changes to it do not show', () => {
    const shared = rowsOf(MEMO_MIN_ROWS);
    const first = encodeV2ServerMessage(applied(shared));
    // Proof that the memo is used: the array's contents change, the encoding does not.
    shared[0] = ROW1;
    const second = encodeV2ServerMessage(applied(shared));
    expect(hex(second)).toBe(hex(first));
    expect(decodeV2ServerMessage(second)).toEqual(applied(rowsOf(MEMO_MIN_ROWS)));
    // A different array with the same rows is encoded afresh.
    const other = rowsOf(MEMO_MIN_ROWS - 1);
    expect(decodeV2ServerMessage(encodeV2ServerMessage(applied(other)))).toEqual(applied(other));
  });

  it('lists shorter than MEMO_MIN_ROWS are encoded each time (cheaper than a lookup)', () => {
    const short = [ROW0, ROW1];
    encodeV2ServerMessage(applied(short));
    short.pop();
    expect(decodeV2ServerMessage(encodeV2ServerMessage(applied(short)))).toEqual(applied([ROW0]));
  });

  it('each message gets its own bytes (the writer is reused, the results are not shared)', () => {
    const a = encodeV2ServerMessage(applied([ROW0]));
    const copy = hex(a);
    encodeV2ServerMessage(applied([ROW1, ROW0]));
    expect(hex(a)).toBe(copy);
  });

  it('a large message after small ones round-trips (the writer grows and is replaced)', () => {
    // Three rows of 400 KB: over the 1 MiB the writer keeps, and too large for FixedSize.
    const rows = [1, 2, 3].map(v => new Uint8Array(400_000 + v).fill(v));
    const decoded = decodeV2ServerMessage(encodeV2ServerMessage(applied(rows)));
    const back = decoded.tag === 'SubscribeApplied' ? decoded.rows.tables[0]!.rows : [];
    expect(back.map(r => Buffer.from(r).equals(rows[back.indexOf(r)]!))).toEqual([
      true,
      true,
      true,
    ]);
    expect(decodeV2ServerMessage(encodeV2ServerMessage(applied([ROW0])))).toEqual(applied([ROW0]));
  });
});

describe('v2 server messages: hostile input', () => {
  it('rejects unknown tags of the message and of every inner sum, naming the offset', () => {
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex('08')),
      /server message: unknown tag 8 at offset 0 \(expected 0\.\.7\)/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('06', le32(1), le64(TS), '04'))),
      /ReducerOutcome: unknown tag 4 at offset 13/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('07', '02'))),
      /ProcedureStatus: unknown tag 2 at offset 1/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('05', le32(1), '02'))),
      /OneOffQueryResult\.result: unknown tag 2 at offset 5/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('03', '02'))),
      /SubscriptionError\.request_id: invalid Option tag 2 at offset 1/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('02', le32(1), le32(2), '07'))),
      /UnsubscribeApplied\.rows: invalid Option tag 7 at offset 9/,
    );
    const tableUpdate = h(le32(1), le32(3), le32(1), bstr('t'), le32(1), '02', '00'.repeat(7));
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('04', tableUpdate))),
      /TableUpdateRows: unknown tag 2 at offset 22/,
    );
  });

  it('refuses counts the input cannot hold, before allocating', () => {
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('04', le32(1_000_000)))),
      /TransactionUpdate: 1000000 query sets exceed the input at offset 5/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('01', le32(1), le32(2), le32(2), bstr('t')))),
      /QueryRows: 2 tables exceed the input at offset 13/,
    );
    expectDecodeError(
      () => decodeV2ServerMessage(fromHex(h('04', le32(1), le32(3), le32(0xffffffff)))),
      /QuerySetUpdate 3: 4294967295 tables exceed the input at offset 13/,
    );
  });

  it('rejects truncation and trailing bytes', () => {
    const full = encodeV2ServerMessage(SERVER_CASES[1]![1]());
    expectDecodeError(() => decodeV2ServerMessage(full.subarray(0, full.length - 1)), /truncated/);
    expectDecodeError(
      () => decodeV2ServerMessage(Uint8Array.of(...full, 0)),
      /SubscribeApplied message: 1 unexpected trailing bytes at offset 56/,
    );
  });
});
