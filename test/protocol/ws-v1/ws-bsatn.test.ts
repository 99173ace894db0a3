import { gzipSync, brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import * as stdb from 'spacetimedb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BsatnWriter,
  ConnectionId,
  decodeClientMessageBsatn,
  decodeServerMessageBsatn,
  encodeClientMessageBsatn,
  encodeRowList,
  encodeServerMessageBsatn,
  Identity,
  type ClientMessage,
  type DatabaseUpdate,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
} from '../../../runtime/protocol/index.js';
import { decompressBytes } from '../../../runtime/ws/frame-compression.js';
import { bsatnRows, hostileBytes } from '../wire-arbitraries.js';
import {
  bstr,
  expectDecodeError,
  fromHex,
  h,
  hex,
  le32,
  le64,
  onlyDecodeErrors,
  RUNS,
  SEED,
} from '../wire-test-helpers.js';
import { messageArbitraries, withoutMemos } from './ws-arbitraries.js';

process.stdout.write(
  `ws-bsatn property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

// Fixtures: two `accounts` rows (id u32 + balance i64 = 12 bytes).
const ROW0 = fromHex('01000000 6400000000000000');
const ROW1 = fromHex('02000000 fbffffffffffffff');
const ROWS_HEX = h('00 0c00', le32(24), hex(ROW0), hex(ROW1));
const EMPTY_ROWS_HEX = h('00 0000', le32(0));
const IDENTITY = new Identity(Uint8Array.from({ length: 32 }, (_, i) => i));
const CONNECTION = new ConnectionId(Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i));
const TS = 1_700_000_000_000_000n;
const Q1 = 'SELECT * FROM accounts';
const Q2 = 'SELECT * FROM accounts WHERE id = 1';
const TRANSFER_ARGS = fromHex('01000000 02000000 0100000000000000');

const queryUpdate = (): QueryUpdate => ({ deletes: [], inserts: [ROW0, ROW1] });
const tableUpdate = (): TableUpdate => ({
  tableId: 0,
  tableName: 'accounts',
  numRows: 2n,
  updates: [queryUpdate()],
});
const dbUpdate = (): DatabaseUpdate => ({ tables: [tableUpdate()] });
const QU_HEX = h('00', EMPTY_ROWS_HEX, ROWS_HEX);
const TU_HEX = h(le32(0), bstr('accounts'), le64(2n), le32(1), QU_HEX);
const DU_HEX = h(le32(1), TU_HEX);

/** Every client message type with its exact bytes. */
const CLIENT_CASES: readonly [string, ClientMessage, string][] = [
  [
    'CallReducer',
    {
      tag: 'CallReducer',
      reducer: 'transfer',
      args: { format: 'bsatn', bytes: TRANSFER_ARGS },
      requestId: 7,
      flags: 0,
    },
    h('00', bstr('transfer'), le32(16), hex(TRANSFER_ARGS), le32(7), '00'),
  ],
  [
    'Subscribe',
    { tag: 'Subscribe', queryStrings: [Q1, Q2], requestId: 3 },
    h('01', le32(2), bstr(Q1), bstr(Q2), le32(3)),
  ],
  [
    'OneOffQuery',
    { tag: 'OneOffQuery', messageId: fromHex('01020304'), queryString: Q1 },
    h('02', le32(4), '01020304', bstr(Q1)),
  ],
  [
    'SubscribeSingle',
    { tag: 'SubscribeSingle', query: Q1, requestId: 5, queryId: 9 },
    h('03', bstr(Q1), le32(5), le32(9)),
  ],
  [
    'SubscribeMulti',
    { tag: 'SubscribeMulti', queryStrings: [Q1, Q2], requestId: 5, queryId: 9 },
    h('04', le32(2), bstr(Q1), bstr(Q2), le32(5), le32(9)),
  ],
  ['Unsubscribe', { tag: 'Unsubscribe', requestId: 5, queryId: 9 }, h('05', le32(5), le32(9))],
  [
    'UnsubscribeMulti',
    { tag: 'UnsubscribeMulti', requestId: 5, queryId: 9 },
    h('06', le32(5), le32(9)),
  ],
  [
    'CallProcedure',
    {
      tag: 'CallProcedure',
      procedure: 'roll',
      args: { format: 'bsatn', bytes: fromHex('2a000000') },
      requestId: 11,
      flags: 0,
    },
    h('07', bstr('roll'), le32(4), '2a000000', le32(11), '00'),
  ],
];

const txUpdate = (
  status: Extract<ServerMessage, { tag: 'TransactionUpdate' }>['status'],
): ServerMessage => ({
  tag: 'TransactionUpdate',
  status,
  timestamp: TS,
  callerIdentity: IDENTITY,
  callerConnectionId: CONNECTION,
  reducerCall: {
    reducerName: 'transfer',
    reducerId: 3,
    args: { format: 'bsatn', bytes: TRANSFER_ARGS },
    requestId: 7,
  },
  energyQuantaUsed: 2n ** 100n + 5n,
  totalHostExecutionDurationMicros: 250n,
});
const TX_TAIL_HEX = h(
  le64(TS),
  hex(IDENTITY.bytes),
  hex(CONNECTION.bytes),
  bstr('transfer'),
  le32(3),
  le32(16),
  hex(TRANSFER_ARGS),
  le32(7),
  '0500000000000000 0000000010000000',
  le64(250n),
);

/** Every server message type (and every variant of its inner sums) with its exact bytes. */
const SERVER_CASES: readonly [string, () => ServerMessage, string][] = [
  [
    'InitialSubscription',
    () => ({
      tag: 'InitialSubscription',
      databaseUpdate: dbUpdate(),
      requestId: 7,
      totalHostExecutionDurationMicros: 1500n,
    }),
    h('00', DU_HEX, le32(7), le64(1500n)),
  ],
  [
    'TransactionUpdate Committed',
    () => txUpdate({ tag: 'Committed', update: dbUpdate() }),
    h('01 00', DU_HEX, TX_TAIL_HEX),
  ],
  [
    'TransactionUpdate Failed',
    () => txUpdate({ tag: 'Failed', message: 'insufficient funds' }),
    h('01 01', bstr('insufficient funds'), TX_TAIL_HEX),
  ],
  [
    'TransactionUpdate OutOfEnergy',
    () => txUpdate({ tag: 'OutOfEnergy' }),
    h('01 02', TX_TAIL_HEX),
  ],
  [
    'TransactionUpdateLight',
    () => ({ tag: 'TransactionUpdateLight', requestId: 7, update: dbUpdate() }),
    h('02', le32(7), DU_HEX),
  ],
  [
    'IdentityToken',
    () => ({ tag: 'IdentityToken', identity: IDENTITY, token: 'tok.en', connectionId: CONNECTION }),
    h('03', hex(IDENTITY.bytes), bstr('tok.en'), hex(CONNECTION.bytes)),
  ],
  [
    'OneOffQueryResponse rows',
    () => ({
      tag: 'OneOffQueryResponse',
      messageId: fromHex('01020304'),
      error: undefined,
      tables: [{ tableName: 'accounts', rowType: { elements: [] }, rows: [ROW0, ROW1] }],
      totalHostExecutionDurationMicros: 42n,
    }),
    h('04', le32(4), '01020304', '01', le32(1), bstr('accounts'), ROWS_HEX, le64(42n)),
  ],
  [
    'OneOffQueryResponse error',
    () => ({
      tag: 'OneOffQueryResponse',
      messageId: fromHex('01020304'),
      error: 'no such table',
      tables: [],
      totalHostExecutionDurationMicros: 42n,
    }),
    h('04', le32(4), '01020304', '00', bstr('no such table'), le32(0), le64(42n)),
  ],
  [
    'SubscribeApplied',
    () => ({
      tag: 'SubscribeApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 77n,
      queryId: 9,
      rows: { tableId: 0, tableName: 'accounts', tableRows: tableUpdate() },
    }),
    h('05', le32(5), le64(77n), le32(9), le32(0), bstr('accounts'), TU_HEX),
  ],
  [
    'UnsubscribeApplied',
    () => ({
      tag: 'UnsubscribeApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 77n,
      queryId: 9,
      rows: { tableId: 0, tableName: 'accounts', tableRows: tableUpdate() },
    }),
    h('06', le32(5), le64(77n), le32(9), le32(0), bstr('accounts'), TU_HEX),
  ],
  [
    'SubscriptionError',
    () => ({
      tag: 'SubscriptionError',
      totalHostExecutionDurationMicros: 3n,
      requestId: 5,
      queryId: undefined,
      tableId: 0,
      error: 'bad query',
    }),
    h('07', le64(3n), '00', le32(5), '01', '00', le32(0), bstr('bad query')),
  ],
  [
    'SubscribeMultiApplied',
    () => ({
      tag: 'SubscribeMultiApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 77n,
      queryId: 9,
      update: dbUpdate(),
    }),
    h('08', le32(5), le64(77n), le32(9), DU_HEX),
  ],
  [
    'UnsubscribeMultiApplied',
    () => ({
      tag: 'UnsubscribeMultiApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 77n,
      queryId: 9,
      update: dbUpdate(),
    }),
    h('09', le32(5), le64(77n), le32(9), DU_HEX),
  ],
  [
    'ProcedureResult Returned',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'Returned', value: { format: 'bsatn', bytes: fromHex('2a000000') } },
      timestamp: TS,
      totalHostExecutionDurationMicros: 12n,
      requestId: 11,
    }),
    h('0a 00', le32(4), '2a000000', le64(TS), le64(12n), le32(11)),
  ],
  [
    'ProcedureResult OutOfEnergy',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'OutOfEnergy' },
      timestamp: TS,
      totalHostExecutionDurationMicros: 12n,
      requestId: 11,
    }),
    h('0a 01', le64(TS), le64(12n), le32(11)),
  ],
  [
    'ProcedureResult InternalError',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'InternalError', message: 'no such procedure' },
      timestamp: TS,
      totalHostExecutionDurationMicros: 12n,
      requestId: 11,
    }),
    h('0a 02', bstr('no such procedure'), le64(TS), le64(12n), le32(11)),
  ],
];

describe('v1 BSATN: worked examples (notes §2.8)', () => {
  it('CallReducer transfer(1, 2, 1) with request id 7', () => {
    const bytes = encodeClientMessageBsatn({
      tag: 'CallReducer',
      reducer: 'transfer',
      args: { format: 'bsatn', bytes: TRANSFER_ARGS },
      requestId: 7,
      flags: 0,
    });
    expect(hex(bytes)).toBe(
      '00' +
        '08000000' +
        '7472616e73666572' +
        '10000000' +
        '01000000' +
        '02000000' +
        '0100000000000000' +
        '07000000' +
        '00',
    );
  });

  it('a BsatnRowList of two 12-byte accounts rows is FixedSize(12) with 24 data bytes', () => {
    const w = new BsatnWriter();
    encodeRowList(w, [ROW0, ROW1]);
    expect(hex(w.toBytes())).toBe('000c00' + '18000000' + hex(ROW0) + hex(ROW1));
  });
});

describe('v1 BSATN client messages', () => {
  for (const [name, msg, bytes] of CLIENT_CASES) {
    it(`${name}: exact bytes and round trip`, () => {
      const encoded = encodeClientMessageBsatn(msg);
      expect(hex(encoded)).toBe(bytes);
      expect(decodeClientMessageBsatn(encoded)).toEqual(msg);
    });
  }

  it('decoded byte fields are copies, not views of the (reused) input buffer', () => {
    const input = encodeClientMessageBsatn(CLIENT_CASES[0]![1]);
    const msg = decodeClientMessageBsatn(input);
    input.fill(0xee);
    expect(
      msg.tag === 'CallReducer' &&
        hex(msg.args.format === 'bsatn' ? msg.args.bytes : new Uint8Array()),
    ).toBe(hex(TRANSFER_ARGS));
  });

  it('accepts NoSuccessNotify (flags 1), rejects other CallReducer flags with the offset', () => {
    const ok = fromHex(h('00', bstr('f'), le32(0), le32(1), '01'));
    expect(decodeClientMessageBsatn(ok)).toEqual({
      tag: 'CallReducer',
      reducer: 'f',
      args: { format: 'bsatn', bytes: new Uint8Array() },
      requestId: 1,
      flags: 1,
    });
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('00', bstr('f'), le32(0), le32(1), '02'))),
      /CallReducer: invalid flags 2 at offset 14 \(allowed 0\.\.1\)/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('07', bstr('f'), le32(0), le32(1), '01'))),
      /CallProcedure: invalid flags 1/,
    );
  });

  it('rejects unknown tags, empty input, truncation and trailing bytes, naming the offset', () => {
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex('08')),
      /client message: unknown tag 8 at offset 0 \(expected 0\.\.7\)/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(new Uint8Array()),
      /truncated input: need 1 bytes for u8 at offset 0/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('05', le32(5), '0900'))),
      /truncated input: need 4 bytes for u32 at offset 5, have 2/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('05', le32(5), le32(9), 'ff'))),
      /Unsubscribe message: 1 unexpected trailing bytes at offset 9/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('03', le32(100), '41'))),
      /truncated input: need 100 bytes/,
    );
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(h('03', le32(2), 'c328', le32(1), le32(2)))),
      /SubscribeSingle\.query: invalid UTF-8 in string at offset 5/,
    );
  });

  it('enforces the limits: 64 query strings, 64 KiB per query, 256-byte names', () => {
    const many = h('01', le32(65), ...Array.from({ length: 65 }, () => bstr('q')), le32(1));
    expectDecodeError(
      () => decodeClientMessageBsatn(fromHex(many)),
      /Subscribe\.query_strings at offset 1 has 65 query strings; the limit is 64/,
    );
    const sixtyFour = h(
      '04',
      le32(64),
      ...Array.from({ length: 64 }, () => bstr('q')),
      le32(1),
      le32(2),
    );
    expect(decodeClientMessageBsatn(fromHex(sixtyFour))).toMatchObject({
      tag: 'SubscribeMulti',
      requestId: 1,
      queryId: 2,
    });
    const long = 'x'.repeat(64 * 1024 + 1);
    expectDecodeError(
      () =>
        decodeClientMessageBsatn(
          encodeClientMessageBsatn({
            tag: 'SubscribeSingle',
            query: long,
            requestId: 1,
            queryId: 1,
          }),
        ),
      /SubscribeSingle\.query at offset 1 is 65537 bytes; the limit is 65536/,
    );
    const name = 'r'.repeat(257);
    expectDecodeError(
      () =>
        decodeClientMessageBsatn(
          encodeClientMessageBsatn({
            tag: 'CallReducer',
            reducer: name,
            args: { format: 'bsatn', bytes: new Uint8Array() },
            requestId: 1,
            flags: 0,
          }),
        ),
      /CallReducer\.reducer at offset 1 is 257 bytes; the limit is 256/,
    );
    expect(
      decodeClientMessageBsatn(
        encodeClientMessageBsatn({
          tag: 'SubscribeSingle',
          query: 'x'.repeat(64 * 1024),
          requestId: 1,
          queryId: 1,
        }),
      ),
    ).toMatchObject({ tag: 'SubscribeSingle' });
  });

  it('refuses to encode JSON arguments in the binary protocol', () => {
    expect(() =>
      encodeClientMessageBsatn({
        tag: 'CallReducer',
        reducer: 'f',
        args: { format: 'json', text: '[]' },
        requestId: 1,
        flags: 0,
      }),
    ).toThrow(/binary protocol carries BSATN arguments/);
  });
});

describe('v1 BSATN server messages', () => {
  for (const [name, make, bytes] of SERVER_CASES) {
    it(`${name}: exact bytes and round trip`, () => {
      const msg = make();
      const encoded = encodeServerMessageBsatn(msg);
      expect(hex(encoded)).toBe(bytes);
      expect(decodeServerMessageBsatn(encoded)).toEqual(withoutMemos(msg));
    });
  }

  it('encodes a shared QueryUpdate once: the memo is filled on first use and reused', () => {
    const shared = queryUpdate();
    const a = encodeServerMessageBsatn({
      tag: 'TransactionUpdateLight',
      requestId: 1,
      update: { tables: [{ tableId: 0, tableName: 'accounts', numRows: 2n, updates: [shared] }] },
    });
    expect(hex(shared.bsatnMemo!)).toBe(QU_HEX);
    // A memo is trusted as is: replacing it shows the second encode did not re-encode the rows.
    shared.bsatnMemo = fromHex(h('00', EMPTY_ROWS_HEX, EMPTY_ROWS_HEX));
    const b = encodeServerMessageBsatn({
      tag: 'TransactionUpdateLight',
      requestId: 1,
      update: { tables: [{ tableId: 0, tableName: 'accounts', numRows: 2n, updates: [shared] }] },
    });
    expect(hex(a)).toBe(h('02', le32(1), DU_HEX));
    expect(hex(b)).toBe(
      h(
        '02',
        le32(1),
        le32(1),
        le32(0),
        bstr('accounts'),
        le64(2n),
        le32(1),
        '00',
        EMPTY_ROWS_HEX,
        EMPTY_ROWS_HEX,
      ),
    );
  });

  it('decodes gzip and brotli query updates (tags 2 and 1) with the given decompressor', () => {
    const plain = fromHex(h(EMPTY_ROWS_HEX, ROWS_HEX));
    for (const [tag, packed] of [
      ['02', gzipSync(plain)],
      ['01', brotliCompressSync(plain)],
    ] as const) {
      const payload = fromHex(
        h(
          '02',
          le32(7),
          le32(1),
          le32(0),
          bstr('accounts'),
          le64(2n),
          le32(1),
          tag,
          le32(packed.length),
          packed.toString('hex'),
        ),
      );
      expectDecodeError(
        () => decodeServerMessageBsatn(payload),
        /query update at offset 37: (Gzip|Brotli) data, and no decompressor given/,
      );
      expect(decodeServerMessageBsatn(payload, decompressBytes)).toEqual({
        tag: 'TransactionUpdateLight',
        requestId: 7,
        update: {
          tables: [
            {
              tableId: 0,
              tableName: 'accounts',
              numRows: 2n,
              updates: [{ deletes: [], inserts: [ROW0, ROW1] }],
            },
          ],
        },
      });
    }
    const corrupt = fromHex(
      h('02', le32(7), le32(1), le32(0), bstr('a'), le64(0n), le32(1), '02', le32(3), '010203'),
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(corrupt, decompressBytes),
      /query update at offset 30: Gzip data is not valid gzip data/,
    );
    const badTag = fromHex(h('02', le32(7), le32(1), le32(0), bstr('a'), le64(0n), le32(1), '03'));
    expectDecodeError(
      () => decodeServerMessageBsatn(badTag),
      /unknown CompressableQueryUpdate tag 3 at offset 30/,
    );
  });

  it('decodes RowOffsets row lists, including the empty RowOffsets([]) SpacetimeDB sends', () => {
    const rows = h('01', le32(2), le64(0n), le64(1n), le32(4), 'aabbccdd');
    const payload = fromHex(
      h(
        '02',
        le32(1),
        le32(1),
        le32(0),
        bstr('t'),
        le64(2n),
        le32(1),
        '00',
        h('01', le32(0), le32(0)),
        rows,
      ),
    );
    const msg = decodeServerMessageBsatn(payload);
    expect(msg).toEqual({
      tag: 'TransactionUpdateLight',
      requestId: 1,
      update: {
        tables: [
          {
            tableId: 0,
            tableName: 't',
            numRows: 2n,
            updates: [{ deletes: [], inserts: [fromHex('aa'), fromHex('bbccdd')] }],
          },
        ],
      },
    });
  });

  it('rejects unknown tags, bad Option tags, and trailing bytes', () => {
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex('0b')),
      /server message: unknown tag 11 at offset 0 \(expected 0\.\.10\)/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('07', le64(0n), '02'))),
      /SubscriptionError\.request_id: invalid Option tag 2 at offset 9/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('04', le32(0), '05'))),
      /OneOffQueryResponse\.error: invalid Option tag 5 at offset 5/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('01 03'))),
      /UpdateStatus: unknown tag 3 at offset 1/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('0a 03'))),
      /ProcedureStatus: unknown tag 3 at offset 1/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('02', le32(1), le32(0), '00'))),
      /TransactionUpdateLight message: 1 unexpected trailing bytes at offset 9/,
    );
    expectDecodeError(
      () => decodeServerMessageBsatn(fromHex(h('02', le32(1), le32(1000)))),
      /database update: 1000 tables exceed the input at offset 9/,
    );
  });
});

// The SDK's d.ts exports `AlgebraicType` twice (star re-exports collide), so TypeScript hides
// it; type what we use.
interface SdkCodec {
  serializeValue(writer: stdb.BinaryWriter, type: unknown, value: unknown): void;
  deserializeValue(reader: stdb.BinaryReader, type: unknown): unknown;
}
const SdkAlgebraicType = (stdb as unknown as { AlgebraicType: SdkCodec }).AlgebraicType;

describe('v1 BSATN interop with the official TypeScript SDK 1.12 message definitions', () => {
  type SdkMessageType = { readonly algebraicType: unknown };
  let sdk: { ClientMessage: SdkMessageType; ServerMessage: SdkMessageType };

  beforeAll(async () => {
    // The SDK does not export its v1 message types; load its generated definitions from source.
    const path = '../../../node_modules/spacetimedb/src/sdk/client_api/index.ts';
    sdk = (await import(/* @vite-ignore */ path)) as typeof sdk;
  }, 60_000);

  const sdkEncode = (type: SdkMessageType, value: unknown): string => {
    const w = new stdb.BinaryWriter(256);
    SdkAlgebraicType.serializeValue(w, type.algebraicType, value);
    return hex(w.getBuffer());
  };
  const sdkDecode = (
    type: SdkMessageType,
    bytes: Uint8Array,
  ): { value: unknown; remaining: number } => {
    const r = new stdb.BinaryReader(bytes);
    const value = SdkAlgebraicType.deserializeValue(r, type.algebraicType);
    return { value, remaining: r.remaining };
  };

  it('the SDK encodes every client message to the bytes we decode', () => {
    const sdkValues: Record<string, unknown> = {
      CallReducer: { reducer: 'transfer', args: TRANSFER_ARGS, requestId: 7, flags: 0 },
      Subscribe: { queryStrings: [Q1, Q2], requestId: 3 },
      OneOffQuery: { messageId: fromHex('01020304'), queryString: Q1 },
      SubscribeSingle: { query: Q1, requestId: 5, queryId: { id: 9 } },
      SubscribeMulti: { queryStrings: [Q1, Q2], requestId: 5, queryId: { id: 9 } },
      Unsubscribe: { requestId: 5, queryId: { id: 9 } },
      UnsubscribeMulti: { requestId: 5, queryId: { id: 9 } },
      CallProcedure: { procedure: 'roll', args: fromHex('2a000000'), requestId: 11, flags: 0 },
    };
    for (const [name, msg, bytes] of CLIENT_CASES) {
      const fromSdk = sdkEncode(sdk.ClientMessage, { tag: name, value: sdkValues[name] });
      expect(fromSdk, name).toBe(bytes);
      expect(decodeClientMessageBsatn(fromHex(fromSdk))).toEqual(msg);
    }
  });

  it('the SDK decodes each server message we encode, all bytes, and re-encodes it the same', () => {
    for (const [name, make] of SERVER_CASES) {
      const ours = encodeServerMessageBsatn(make());
      const { value, remaining } = sdkDecode(sdk.ServerMessage, ours);
      expect(remaining, name).toBe(0);
      expect(sdkEncode(sdk.ServerMessage, value), name).toBe(hex(ours));
    }
  });

  it('the SDK reads the fields where we put them', () => {
    const { value } = sdkDecode(
      sdk.ServerMessage,
      encodeServerMessageBsatn(txUpdate({ tag: 'Committed', update: dbUpdate() })),
    );
    const v = value as { tag: string; value: Record<string, unknown> };
    expect(v.tag).toBe('TransactionUpdate');
    const call = v.value['reducerCall'] as {
      reducerName: string;
      reducerId: number;
      requestId: number;
      args: Uint8Array;
    };
    expect([call.reducerName, call.reducerId, call.requestId, hex(call.args)]).toEqual([
      'transfer',
      3,
      7,
      hex(TRANSFER_ARGS),
    ]);
    expect((v.value['energyQuantaUsed'] as { quanta: bigint }).quanta).toBe(2n ** 100n + 5n);
    expect(String(v.value['callerIdentity'])).toBe(IDENTITY.toHex());
    const status = v.value['status'] as {
      tag: string;
      value: {
        tables: {
          tableName: string;
          numRows: bigint;
          updates: { tag: string; value: { inserts: { rowsData: Uint8Array } } }[];
        }[];
      };
    };
    expect(status.tag).toBe('Committed');
    const table = status.value.tables[0]!;
    expect([
      table.tableName,
      table.numRows,
      table.updates[0]!.tag,
      hex(table.updates[0]!.value.inserts.rowsData),
    ]).toEqual(['accounts', 2n, 'Uncompressed', hex(ROW0) + hex(ROW1)]);
  });
});

describe('v1 BSATN properties', () => {
  const args = fc.uint8Array({ maxLength: 24 }).map(bytes => ({ format: 'bsatn' as const, bytes }));
  const { client, server } = messageArbitraries({ rows: bsatnRows, args });

  it('encode → decode is the identity for random client messages', () => {
    fc.assert(
      fc.property(client, msg => {
        expect(decodeClientMessageBsatn(encodeClientMessageBsatn(msg))).toEqual(msg);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('encode → decode is the identity for random server messages', () => {
    fc.assert(
      fc.property(server, msg => {
        expect(decodeServerMessageBsatn(encodeServerMessageBsatn(msg))).toEqual(withoutMemos(msg));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('decoding hostile bytes only ever throws PROTOCOL_DECODE (client messages)', () => {
    fc.assert(
      fc.property(
        hostileBytes(client.map(encodeClientMessageBsatn), 8),
        onlyDecodeErrors(decodeClientMessageBsatn),
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('decoding hostile bytes only ever throws PROTOCOL_DECODE (server messages)', () => {
    fc.assert(
      fc.property(
        hostileBytes(server.map(encodeServerMessageBsatn), 11),
        onlyDecodeErrors(decodeServerMessageBsatn),
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });
});
