import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectionId,
  decodeClientMessageJson,
  decodeServerMessageJson,
  encodeClientMessageJson,
  encodeServerMessageJson,
  encodeToBytes,
  encodeValue,
  BsatnWriter,
  Identity,
  parseJsonExact,
  rowToJsonText,
  valueFromJson,
  WasmbaseError,
  type AlgebraicType,
  type AlgebraicValue,
  type ClientMessage,
  type DatabaseUpdate,
  type JsonServerMessage,
  type JsonValue,
  type ProductType,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
  type WsArgs,
} from '../../../runtime/protocol/index.js';
import { buildSchema, T } from '../../helpers/schemas.js';
import { text } from '../wire-arbitraries.js';
import { expectDecodeError, fromHex, RUNS, SEED } from '../wire-test-helpers.js';
import { messageArbitraries, withoutMemos } from './ws-arbitraries.js';

process.stdout.write(
  `ws-json property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

const some = (v: unknown) => ({ some: v });
const wrapper = (field: string, type: unknown) => ({
  Product: { elements: [{ name: some(field), algebraic_type: type }] },
});
const TJ = {
  connectionId: wrapper('__connection_id__', { U128: [] }),
  timestamp: wrapper('__timestamp_micros_since_unix_epoch__', { I64: [] }),
  timeDuration: wrapper('__time_duration_micros__', { I64: [] }),
  color: {
    Sum: {
      variants: [
        { name: some('Red'), algebraic_type: { Product: { elements: [] } } },
        {
          name: some('Rgb'),
          algebraic_type: {
            Product: {
              elements: ['r', 'g', 'b'].map(n => ({ name: some(n), algebraic_type: T.u8 })),
            },
          },
        },
      ],
    },
  },
};

const schema = buildSchema(
  [
    {
      name: 'accounts',
      columns: [
        { name: 'id', type: T.u32, pk: true },
        { name: 'balance', type: T.i64 },
      ],
    },
    {
      name: 'everything',
      columns: [
        { name: 'who', type: T.identity },
        { name: 'conn', type: TJ.connectionId },
        { name: 'at', type: TJ.timestamp },
        { name: 'dur', type: TJ.timeDuration },
        { name: 'nick', type: T.option(T.string) },
        { name: 'big', type: T.u64 },
        { name: 'huge', type: { U128: [] } },
        { name: 'neg', type: { I256: [] } },
        { name: 'pos', type: { U256: [] } },
        { name: 'ratio', type: { F32: [] } },
        { name: 'precise', type: T.f64 },
        { name: 'blob', type: T.bytes },
        { name: 'label', type: T.string },
        { name: 'flag', type: T.bool },
        { name: 'color', type: TJ.color },
        { name: 'tags', type: { Array: T.string } },
      ],
    },
  ],
  [
    {
      name: 'transfer',
      params: [
        { name: 'from', type: T.u32 },
        { name: 'to', type: T.u32 },
        { name: 'amount', type: T.i64 },
      ],
    },
  ],
);
const accounts = schema.tableByName('accounts')!;
const everything = schema.tableByName('everything')!;
const rowTypeOf = (rowType: ProductType): AlgebraicType => ({
  tag: 'Product',
  elements: rowType.elements,
});
const row = (rowType: ProductType, value: AlgebraicValue) =>
  encodeToBytes(rowTypeOf(rowType), value);

const ROW0 = row(accounts.rowType, [1, 100n]);
const ROW1 = row(accounts.rowType, [2, -5n]);
const ROW0_JSON = '{"id":1,"balance":100}';
const ROW1_JSON = '{"id":2,"balance":-5}';
const TRANSFER_ARGS = fromHex('01000000 02000000 0100000000000000');
const IDENTITY = Identity.fromHex('c200' + '11'.repeat(30));
const IDENTITY_JSON = `{"__identity__":"0xc200${'11'.repeat(30)}"}`;
const CONNECTION = ConnectionId.fromHex('0'.repeat(28) + '0102');
const CONNECTION_JSON = '{"__connection_id__":258}';
const TS = 1_700_000_000_000_000n;
const TS_JSON = '{"__timestamp_micros_since_unix_epoch__":1700000000000000}';
const Q1 = 'SELECT * FROM accounts';
const Q2 = "SELECT * FROM accounts WHERE name = 'a\"b'";

const queryUpdate = (): QueryUpdate => ({ deletes: [], inserts: [ROW0, ROW1] });
const tableUpdate = (): TableUpdate => ({
  tableId: accounts.id,
  tableName: 'accounts',
  numRows: 2n,
  updates: [queryUpdate()],
});
const dbUpdate = (): DatabaseUpdate => ({ tables: [tableUpdate()] });
const ROWS_JSON = `${JSON.stringify(ROW0_JSON)},${JSON.stringify(ROW1_JSON)}`;
const QU_JSON = `{"deletes":[],"inserts":[${ROWS_JSON}]}`;
const TU_JSON = `{"table_id":0,"table_name":"accounts","num_rows":2,"updates":[${QU_JSON}]}`;
const DU_JSON = `{"tables":[${TU_JSON}]}`;

/** The JSON-decoded form of a server message: every row replaced by its JSON text. */
function asJsonForm(
  msg: ServerMessage,
  rowTypeOfTable: (tableId: number) => ProductType,
): JsonServerMessage {
  const qu = (tableId: number) => (u: QueryUpdate) => ({
    deletes: u.deletes.map(r => rowToJsonText(rowTypeOfTable(tableId), r)),
    inserts: u.inserts.map(r => rowToJsonText(rowTypeOfTable(tableId), r)),
  });
  const tu = (t: TableUpdate) => ({
    tableId: t.tableId,
    tableName: t.tableName,
    numRows: t.numRows,
    updates: t.updates.map(qu(t.tableId)),
  });
  const du = (d: DatabaseUpdate) => ({ tables: d.tables.map(tu) });
  switch (msg.tag) {
    case 'InitialSubscription':
      return { ...msg, databaseUpdate: du(msg.databaseUpdate) };
    case 'TransactionUpdate':
      return {
        ...msg,
        status:
          msg.status.tag === 'Committed'
            ? { tag: 'Committed', update: du(msg.status.update) }
            : msg.status,
      };
    case 'TransactionUpdateLight':
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied':
      return { ...msg, update: du(msg.update) };
    case 'OneOffQueryResponse':
      return {
        ...msg,
        tables: msg.tables.map(t => ({
          tableName: t.tableName,
          rows: t.rows.map(r => rowToJsonText(t.rowType, r)),
        })),
      };
    case 'SubscribeApplied':
    case 'UnsubscribeApplied':
      return { ...msg, rows: { ...msg.rows, tableRows: tu(msg.rows.tableRows) } };
    default:
      return msg;
  }
}

const CLIENT_CASES: readonly [string, ClientMessage, string][] = [
  [
    'CallReducer',
    {
      tag: 'CallReducer',
      reducer: 'transfer',
      args: { format: 'json', text: '[1,2,1]' },
      requestId: 7,
      flags: 0,
    },
    '{"CallReducer":{"reducer":"transfer","args":"[1,2,1]","request_id":7,"flags":0}}',
  ],
  [
    'Subscribe',
    { tag: 'Subscribe', queryStrings: [Q1, Q2], requestId: 3 },
    `{"Subscribe":{"query_strings":["${Q1}","SELECT * FROM accounts WHERE name = 'a\\"b'"],` +
      `"request_id":3}}`,
  ],
  [
    'OneOffQuery',
    { tag: 'OneOffQuery', messageId: fromHex('01020aff'), queryString: Q1 },
    `{"OneOffQuery":{"message_id":"01020aff","query_string":"${Q1}"}}`,
  ],
  [
    'SubscribeSingle',
    { tag: 'SubscribeSingle', query: Q1, requestId: 5, queryId: 9 },
    `{"SubscribeSingle":{"query":"${Q1}","request_id":5,"query_id":{"id":9}}}`,
  ],
  [
    'SubscribeMulti',
    { tag: 'SubscribeMulti', queryStrings: [Q1], requestId: 5, queryId: 9 },
    `{"SubscribeMulti":{"query_strings":["${Q1}"],"request_id":5,"query_id":{"id":9}}}`,
  ],
  [
    'Unsubscribe',
    { tag: 'Unsubscribe', requestId: 5, queryId: 9 },
    '{"Unsubscribe":{"request_id":5,"query_id":{"id":9}}}',
  ],
  [
    'UnsubscribeMulti',
    { tag: 'UnsubscribeMulti', requestId: 5, queryId: 9 },
    '{"UnsubscribeMulti":{"request_id":5,"query_id":{"id":9}}}',
  ],
  [
    'CallProcedure',
    {
      tag: 'CallProcedure',
      procedure: 'roll',
      args: { format: 'json', text: '[]' },
      requestId: 11,
      flags: 0,
    },
    '{"CallProcedure":{"procedure":"roll","args":"[]","request_id":11,"flags":0}}',
  ],
];

const txUpdate = (
  status: Extract<ServerMessage, { tag: 'TransactionUpdate' }>['status'],
  args: WsArgs,
  reducer = { reducerName: 'transfer', reducerId: 0 },
): ServerMessage => ({
  tag: 'TransactionUpdate',
  status,
  timestamp: TS,
  callerIdentity: IDENTITY,
  callerConnectionId: CONNECTION,
  reducerCall: { ...reducer, args, requestId: 7 },
  energyQuantaUsed: 2n ** 100n,
  totalHostExecutionDurationMicros: 250n,
});
const TX_TAIL_JSON =
  `"timestamp":${TS_JSON},"caller_identity":${IDENTITY_JSON},` +
  `"caller_connection_id":${CONNECTION_JSON},` +
  '"reducer_call":{"reducer_name":"transfer","reducer_id":0,"args":"[1,2,1]","request_id":7},' +
  '"energy_quanta_used":{"quanta":1267650600228229401496703205376},' +
  '"total_host_execution_duration":{"__time_duration_micros__":250}';
const BSATN_ARGS = { format: 'bsatn' as const, bytes: TRANSFER_ARGS };
const JSON_ARGS = { format: 'json' as const, text: '[1,2,1]' };

const SERVER_CASES: readonly [string, () => ServerMessage, string][] = [
  [
    'InitialSubscription',
    () => ({
      tag: 'InitialSubscription',
      databaseUpdate: dbUpdate(),
      requestId: 7,
      totalHostExecutionDurationMicros: 1500n,
    }),
    `{"InitialSubscription":{"database_update":${DU_JSON},` +
      `"request_id":7,"total_host_execution_duration":{"__time_duration_micros__":1500}}}`,
  ],
  [
    'TransactionUpdate Committed (BSATN args rendered by the schema)',
    () => txUpdate({ tag: 'Committed', update: dbUpdate() }, BSATN_ARGS),
    `{"TransactionUpdate":{"status":{"Committed":${DU_JSON}},${TX_TAIL_JSON}}}`,
  ],
  [
    'TransactionUpdate Failed',
    () => txUpdate({ tag: 'Failed', message: 'insufficient "funds"' }, JSON_ARGS),
    `{"TransactionUpdate":{"status":{"Failed":"insufficient \\"funds\\""},${TX_TAIL_JSON}}}`,
  ],
  [
    'TransactionUpdate OutOfEnergy',
    () => txUpdate({ tag: 'OutOfEnergy' }, JSON_ARGS),
    `{"TransactionUpdate":{"status":{"OutOfEnergy":[]},${TX_TAIL_JSON}}}`,
  ],
  [
    'TransactionUpdateLight',
    () => ({ tag: 'TransactionUpdateLight', requestId: 7, update: dbUpdate() }),
    `{"TransactionUpdateLight":{"request_id":7,"update":${DU_JSON}}}`,
  ],
  [
    'IdentityToken',
    () => ({ tag: 'IdentityToken', identity: IDENTITY, token: 'tok.en', connectionId: CONNECTION }),
    `{"IdentityToken":{"identity":${IDENTITY_JSON},` +
      `"token":"tok.en","connection_id":${CONNECTION_JSON}}}`,
  ],
  [
    'OneOffQueryResponse rows',
    () => ({
      tag: 'OneOffQueryResponse',
      messageId: fromHex('01020304'),
      error: undefined,
      tables: [{ tableName: 'accounts', rowType: accounts.rowType, rows: [ROW0, ROW1] }],
      totalHostExecutionDurationMicros: 42n,
    }),
    `{"OneOffQueryResponse":{"message_id":"01020304",` +
      `"error":{"none":[]},"tables":[{"table_name":"accounts",` +
      `"rows":[${JSON.stringify(ROW0_JSON)},${JSON.stringify(ROW1_JSON)}]}],` +
      `"total_host_execution_duration":{"__time_duration_micros__":42}}}`,
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
    '{"OneOffQueryResponse":{"message_id":"01020304",' +
      '"error":{"some":"no such table"},"tables":[],' +
      '"total_host_execution_duration":{"__time_duration_micros__":42}}}',
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
    `{"SubscribeApplied":{"request_id":5,"total_host_execution_duration_micros":77,` +
      `"query_id":{"id":9},"rows":{"table_id":0,"table_name":"accounts",` +
      `"table_rows":${TU_JSON}}}}`,
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
    `{"UnsubscribeApplied":{"request_id":5,"total_host_execution_duration_micros":77,` +
      `"query_id":{"id":9},"rows":{"table_id":0,"table_name":"accounts",` +
      `"table_rows":${TU_JSON}}}}`,
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
    '{"SubscriptionError":{"total_host_execution_duration_micros":3,' +
      '"request_id":{"some":5},"query_id":{"none":[]},' +
      '"table_id":{"some":0},"error":"bad query"}}',
  ],
  [
    'SubscribeMultiApplied',
    () => ({
      tag: 'SubscribeMultiApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 18446744073709551615n,
      queryId: 9,
      update: dbUpdate(),
    }),
    '{"SubscribeMultiApplied":{"request_id":5,' +
      '"total_host_execution_duration_micros":18446744073709551615,' +
      `"query_id":{"id":9},"update":${DU_JSON}}}`,
  ],
  [
    'UnsubscribeMultiApplied',
    () => ({
      tag: 'UnsubscribeMultiApplied',
      requestId: 5,
      totalHostExecutionDurationMicros: 77n,
      queryId: 9,
      update: { tables: [] },
    }),
    '{"UnsubscribeMultiApplied":{"request_id":5,"total_host_execution_duration_micros":77,' +
      '"query_id":{"id":9},"update":{"tables":[]}}}',
  ],
  [
    'ProcedureResult Returned',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'Returned', value: { format: 'json', text: '{"ok":42}' } },
      timestamp: TS,
      totalHostExecutionDurationMicros: 12n,
      requestId: 11,
    }),
    `{"ProcedureResult":{"status":{"Returned":"{\\"ok\\":42}"},` +
      `"timestamp":${TS_JSON},"total_host_execution_duration":{"__time_duration_micros__":12},` +
      `"request_id":11}}`,
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
    `{"ProcedureResult":{"status":{"OutOfEnergy":[]},` +
      `"timestamp":${TS_JSON},"total_host_execution_duration":{"__time_duration_micros__":12},` +
      `"request_id":11}}`,
  ],
  [
    'ProcedureResult InternalError',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'InternalError', message: 'no such procedure' },
      timestamp: TS,
      totalHostExecutionDurationMicros: -12n,
      requestId: 11,
    }),
    `{"ProcedureResult":{"status":{"InternalError":"no such procedure"},` +
      `"timestamp":${TS_JSON},"total_host_execution_duration":{"__time_duration_micros__":-12},` +
      `"request_id":11}}`,
  ],
];

describe('v1 JSON: worked example (notes §2.8)', () => {
  it('CallReducer transfer(1, 2, 1), request id 7, is the documented text and decodes back', () => {
    const text = '{"CallReducer":{"reducer":"transfer","args":"[1,2,1]","request_id":7,"flags":0}}';
    const msg: ClientMessage = {
      tag: 'CallReducer',
      reducer: 'transfer',
      args: { format: 'json', text: '[1,2,1]' },
      requestId: 7,
      flags: 0,
    };
    expect(encodeClientMessageJson(msg)).toBe(text);
    expect(decodeClientMessageJson(text)).toEqual(msg);
  });
});

describe('v1 JSON client messages', () => {
  for (const [name, msg, textForm] of CLIENT_CASES) {
    it(`${name}: exact text and round trip`, () => {
      expect(encodeClientMessageJson(msg)).toBe(textForm);
      expect(decodeClientMessageJson(textForm)).toEqual(msg);
    });
  }

  it('accepts whitespace, field order, a bare query id and NoSuccessNotify', () => {
    expect(
      decodeClientMessageJson(' { "Unsubscribe" : { "query_id" : 4 , "request_id" : 1 } } '),
    ).toEqual({ tag: 'Unsubscribe', requestId: 1, queryId: 4 });
    expect(
      decodeClientMessageJson(
        '{"CallReducer":{"flags":1,"request_id":0,"args":"[]","reducer":"f"}}',
      ),
    ).toMatchObject({ flags: 1 });
  });

  it.each<[string, string, RegExp]>([
    ['invalid JSON', '{"Subscribe":', /client message: invalid JSON: /],
    ['not an object', '[1]', /client message: expected one of \{"CallReducer": …\}/],
    [
      'two variants',
      '{"Unsubscribe":{},"Subscribe":{}}',
      /client message: expected exactly one variant key/,
    ],
    ['an unknown variant', '{"Publish":{}}', /client message: unknown variant "Publish"/],
    [
      'a missing field',
      '{"Unsubscribe":{"request_id":1}}',
      /Unsubscribe: missing field "query_id"/,
    ],
    [
      'an unknown field',
      '{"Unsubscribe":{"request_id":1,"query_id":{"id":1},"x":0}}',
      /Unsubscribe: unknown field "x"/,
    ],
    [
      'a request id out of range',
      '{"Unsubscribe":{"request_id":4294967296,"query_id":{"id":1}}}',
      /Unsubscribe\.request_id: expected u32, got 4294967296/,
    ],
    [
      'a fractional query id',
      '{"Unsubscribe":{"request_id":1,"query_id":{"id":1.5}}}',
      /Unsubscribe\.query_id\.id: expected u32, got 1\.5/,
    ],
    [
      'args that are not a string',
      '{"CallReducer":{"reducer":"f","args":[1],"request_id":1,"flags":0}}',
      /CallReducer\.args: expected the arguments as a JSON text string/,
    ],
    [
      'bad flags',
      '{"CallReducer":{"reducer":"f","args":"[]","request_id":1,"flags":2}}',
      /CallReducer\.flags: invalid flags 2 \(allowed 0\.\.1\)/,
    ],
    [
      'procedure flags',
      '{"CallProcedure":{"procedure":"f","args":"[]","request_id":1,"flags":1}}',
      /CallProcedure\.flags: invalid flags 1 \(allowed 0\.\.0\)/,
    ],
    [
      'a non-hex message id',
      '{"OneOffQuery":{"message_id":"xyz","query_string":"q"}}',
      /OneOffQuery\.message_id: expected a hex string, got "xyz"/,
    ],
    [
      'a query that is not a string',
      '{"Subscribe":{"query_strings":["a",2],"request_id":1}}',
      /Subscribe\.query_strings\[1\]: expected a string, got 2/,
    ],
  ])('rejects %s', (_what, input, pattern) =>
    expectDecodeError(() => decodeClientMessageJson(input), pattern),
  );

  it('enforces the limits: 64 query strings, 64 KiB per query, 256-byte names', () => {
    const many = encodeClientMessageJson({
      tag: 'SubscribeMulti',
      queryStrings: Array.from({ length: 65 }, () => 'q'),
      requestId: 1,
      queryId: 1,
    });
    expectDecodeError(
      () => decodeClientMessageJson(many),
      /SubscribeMulti\.query_strings: has 65 items; the limit is 64/,
    );
    const long = encodeClientMessageJson({
      tag: 'SubscribeSingle',
      query: 'é'.repeat(32 * 1024 + 1),
      requestId: 1,
      queryId: 1,
    });
    expectDecodeError(
      () => decodeClientMessageJson(long),
      /SubscribeSingle\.query: is 65538 bytes; the limit is 65536/,
    );
    const name = encodeClientMessageJson({
      tag: 'CallReducer',
      reducer: 'r'.repeat(257),
      args: { format: 'json', text: '[]' },
      requestId: 1,
      flags: 0,
    });
    expectDecodeError(
      () => decodeClientMessageJson(name),
      /CallReducer\.reducer: is 257 bytes; the limit is 256/,
    );
  });

  it('refuses to encode BSATN arguments in the JSON protocol', () => {
    expect(() =>
      encodeClientMessageJson({
        tag: 'CallReducer',
        reducer: 'f',
        args: { format: 'bsatn', bytes: new Uint8Array() },
        requestId: 1,
        flags: 0,
      }),
    ).toThrow(/JSON protocol carries arguments as JSON text/);
  });
});

describe('v1 JSON server messages', () => {
  for (const [name, make, textForm] of SERVER_CASES) {
    it(`${name}: exact text and decode`, () => {
      const msg = make();
      const encoded = encodeServerMessageJson(msg, schema);
      expect(encoded).toBe(textForm);
      expect(JSON.parse(encoded)).toBeTypeOf('object');
      const expected = asJsonForm(withoutMemos(msg), id => schema.tables[id]!.rowType);
      const decoded = decodeServerMessageJson(encoded);
      if (msg.tag === 'TransactionUpdate' && decoded.tag === 'TransactionUpdate') {
        // BSATN arguments come back as the JSON text the schema rendered.
        expect(decoded).toEqual({
          ...expected,
          reducerCall: { ...msg.reducerCall, args: JSON_ARGS },
        });
      } else {
        expect(decoded).toEqual(expected);
      }
    });
  }

  it('renders every SATS type of a row the way SpacetimeDB does', () => {
    const value: AlgebraicValue = [
      [0xc2n << 248n],
      [2n ** 128n - 1n],
      [-1n],
      [90n],
      { tag: 1, value: [] },
      2n ** 64n - 1n,
      2n ** 100n,
      -(2n ** 200n),
      255n,
      0.1,
      -0,
      fromHex('00ff10'),
      'line\n"quoted" ünïcode',
      true,
      { tag: 1, value: [1, 2, 3] },
      ['a', 'b'],
    ];
    const json = rowToJsonText(everything.rowType, row(everything.rowType, value));
    expect(json).toBe(
      '{"who":{"__identity__":"0xc2' +
        '0'.repeat(62) +
        '"},"conn":{"__connection_id__":340282366920938463463374607431768211455},' +
        '"at":{"__timestamp_micros_since_unix_epoch__":-1},' +
        '"dur":{"__time_duration_micros__":90},"nick":{"none":{}},' +
        '"big":18446744073709551615,"huge":1267650600228229401496703205376,' +
        `"neg":"-0x1${'0'.repeat(50)}","pos":"0xff",` +
        `"ratio":0.1,"precise":-0,"blob":"00ff10","label":"line\\n\\"quoted\\" ünïcode",` +
        `"flag":true,` +
        '"color":{"Rgb":{"r":1,"g":2,"b":3}},"tags":["a","b"]}',
    );
    const back = parseJsonExact(json) as Record<string, JsonValue>;
    expect(back['big']).toBe(2n ** 64n - 1n);
    expect(
      rowToJsonText(
        everything.rowType,
        row(everything.rowType, [
          [0n],
          [0n],
          [0n],
          [0n],
          { tag: 0, value: 'x' },
          0n,
          0n,
          0n,
          0n,
          NaN,
          Infinity,
          new Uint8Array(),
          '',
          false,
          { tag: 0, value: [] },
          [],
        ]),
      ),
    ).toBe(
      '{"who":{"__identity__":"0x0"},"conn":{"__connection_id__":0},' +
        '"at":{"__timestamp_micros_since_unix_epoch__":0},"dur":{"__time_duration_micros__":0},' +
        '"nick":{"some":"x"},"big":0,"huge":0,"neg":"0x0",' +
        '"pos":"0x0","ratio":null,"precise":null,"blob":"",' +
        '"label":"","flag":false,"color":{"Red":{}},"tags":[]}',
    );
  });

  it('encodes a shared QueryUpdate to JSON once: the memo is filled on first use, reused', () => {
    const shared = queryUpdate();
    const msg = (): ServerMessage => ({
      tag: 'TransactionUpdateLight',
      requestId: 1,
      update: { tables: [{ tableId: 0, tableName: 'accounts', numRows: 2n, updates: [shared] }] },
    });
    encodeServerMessageJson(msg(), schema);
    expect(shared.jsonMemo).toBe(QU_JSON);
    shared.jsonMemo = '{"deletes":[],"inserts":[]}';
    expect(encodeServerMessageJson(msg(), schema)).toBe(
      '{"TransactionUpdateLight":{"request_id":1,"update":{"tables":[{"table_id":0,' +
        '"table_name":"accounts","num_rows":2,"updates":[{"deletes":[],"inserts":[]}]}]}}}',
    );
  });

  it('fails loudly (INTERNAL) when the schema cannot render what it is given', () => {
    const unknownTable: ServerMessage = {
      tag: 'TransactionUpdateLight',
      requestId: 1,
      update: {
        tables: [
          { tableId: 9, tableName: 'ghost', numRows: 0n, updates: [{ deletes: [], inserts: [] }] },
        ],
      },
    };
    expect(() => encodeServerMessageJson(unknownTable, schema)).toThrow(
      /no table 9 \("ghost"\) in the module schema/,
    );
    const unknownReducer = txUpdate({ tag: 'OutOfEnergy' }, BSATN_ARGS, {
      reducerName: 'ghost',
      reducerId: 9,
    });
    expect(() => encodeServerMessageJson(unknownReducer, schema)).toThrow(
      /no reducer "ghost" \(id 9\)/,
    );
    // A reducer id that disagrees with the name is looked up by name.
    expect(
      encodeServerMessageJson(
        txUpdate({ tag: 'OutOfEnergy' }, BSATN_ARGS, { reducerName: 'transfer', reducerId: 9 }),
        schema,
      ),
    ).toContain('"args":"[1,2,1]"');
  });

  it.each<[string, string, RegExp]>([
    [
      'a big integer where u32 belongs',
      '{"TransactionUpdateLight":{"request_id":99999999999999999999,"update":{"tables":[]}}}',
      /TransactionUpdateLight\.request_id: expected u32, got 99999999999999999999/,
    ],
    [
      'a u64 out of range',
      '{"SubscriptionError":{"total_host_execution_duration_micros":18446744073709551616,' +
        '"request_id":{"none":[]},"query_id":{"none":[]},"table_id":{"none":[]},"error":""}}',
      /18446744073709551616 is out of range for u64/,
    ],
    [
      'a bad option',
      '{"SubscriptionError":{"total_host_execution_duration_micros":1,' +
        '"request_id":{"maybe":1},"query_id":{"none":[]},"table_id":{"none":[]},"error":""}}',
      /SubscriptionError\.request_id: unknown variant "maybe"/,
    ],
    [
      'a row that is not a string',
      `{"TransactionUpdateLight":{"request_id":1,"update":{"tables":[{"table_id":0,` +
        `"table_name":"a","num_rows":1,"updates":[{"deletes":[],"inserts":[{"id":1}]}]}]}}}`,
      /updates\[0\]\.inserts\[0\]: expected a string/,
    ],
    [
      'an identity that is not hex',
      `{"IdentityToken":{"identity":{"__identity__":"c2"},` +
        `"token":"","connection_id":{"__connection_id__":1}}}`,
      /IdentityToken\.identity\.__identity__: expected a u256 as a "0x…" hex string/,
    ],
    [
      'trailing text',
      '{"TransactionUpdateLight":{"request_id":1,"update":{"tables":[]}}} x',
      /server message: unexpected text after the JSON value at character 67/,
    ],
  ])('rejects %s', (_what, input, pattern) =>
    expectDecodeError(() => decodeServerMessageJson(input), pattern),
  );
});

describe('parseJsonExact', () => {
  it('keeps big integers exact and everything else as JSON.parse would', () => {
    expect(
      parseJsonExact(
        '[9007199254740991,9007199254740992,-18446744073709551616,1.5,1e400,-0,' +
          '"\\u00e9\\n\\/",true,null,{}]',
      ),
    ).toEqual([
      9007199254740991,
      9007199254740992n,
      -18446744073709551616n,
      1.5,
      Infinity,
      -0,
      'é\n/',
      true,
      null,
      {},
    ]);
    const obj = parseJsonExact('{"__proto__":{"x":1},"a":2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(null);
    expect(Object.keys(obj)).toEqual(['__proto__', 'a']);
  });

  it.each<[string, RegExp]>([
    ['', /unexpected end of input at character 0/],
    ['[1,]', /unexpected character "\]" at character 3/],
    ['{"a" 1}', /expected ':' at character 5/],
    ['"abc', /unterminated string at character 0/],
    ['"a\tb"', /control character in string at character 2/],
    ['"\\x"', /invalid escape at character 1/],
    ['01', /unexpected text after the JSON value at character 1/],
    ['-', /invalid number at character 0/],
    ['tru', /invalid literal at character 0/],
    ['['.repeat(65) + ']'.repeat(65), /nested deeper than 64 levels at character 64/],
  ])('rejects %j', (input, pattern) => expectDecodeError(() => parseJsonExact(input), pattern));
});

describe('v1 JSON properties', () => {
  const jsonArgs = text(30).map(t => ({ format: 'json' as const, text: t }));
  const accountRows = fc.array(
    fc
      .tuple(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      )
      .map(([id, balance]) => row(accounts.rowType, [id, balance])),
    { maxLength: 3 },
  );
  const { client, server } = messageArbitraries({
    rows: accountRows,
    args: jsonArgs,
    tableIds: fc.constant(accounts.id),
  });
  // One-off tables carry their own row type (the arbitrary leaves it empty).
  const withRowTypes = server.map(m =>
    m.tag === 'OneOffQueryResponse'
      ? { ...m, tables: m.tables.map(t => ({ ...t, rowType: accounts.rowType })) }
      : m,
  );

  it('encode → decode is the identity for random client messages', () => {
    fc.assert(
      fc.property(client, msg => {
        expect(decodeClientMessageJson(encodeClientMessageJson(msg))).toEqual(msg);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('encode → decode gives the JSON form of random server messages (rows as JSON texts)', () => {
    fc.assert(
      fc.property(withRowTypes, msg => {
        const expected = asJsonForm(withoutMemos(msg), () => accounts.rowType);
        expect(decodeServerMessageJson(encodeServerMessageJson(msg, schema))).toEqual(expected);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a rendered row reads back (through our lenient SATS-JSON reader) to the same BSATN', () => {
    const typed = fc.record({
      who: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(v => [v]),
      conn: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(v => [v]),
      at: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(v => [v]),
      dur: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(v => [v]),
      nick: fc
        .option(text(), { nil: undefined })
        .map(v => (v === undefined ? { tag: 1, value: [] } : { tag: 0, value: v })),
      big: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      huge: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
      neg: fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n - 1n }),
      pos: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      ratio: fc.float({ noNaN: true, noDefaultInfinity: true }),
      precise: fc.double({ noNaN: true, noDefaultInfinity: true }),
      blob: fc.uint8Array({ maxLength: 8 }),
      label: text(),
      flag: fc.boolean(),
      color: fc.oneof(
        fc.constant({ tag: 0, value: [] }),
        fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(rgb => ({ tag: 1, value: rgb })),
      ),
      tags: fc.array(text(5), { maxLength: 3 }),
    });
    const type = rowTypeOf(everything.rowType);
    // Our lenient reader (sats-json.ts) takes big integers as strings: decimal up to 64 bits,
    // wider unsigned as 0x hex (a decimal string of hex digits is hex for a ConnectionId);
    // it does not read SpacetimeDB's "-0x…" form of a negative i256.
    const forOurReader = (v: JsonValue): unknown => {
      // 64-bit values are decimal only (strict integers); wider ones may be 0x hex.
      if (typeof v === 'bigint')
        return v < 0n || v < 1n << 64n ? v.toString() : '0x' + v.toString(16);
      if (typeof v === 'string' && v.startsWith('-0x')) return (-BigInt(v.slice(1))).toString();
      if (Array.isArray(v)) return v.map(forOurReader);
      if (v !== null && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, forOurReader(x)]));
      return v;
    };
    fc.assert(
      fc.property(typed, fields => {
        const bytes = row(everything.rowType, Object.values(fields) as AlgebraicValue[]);
        const parsed = forOurReader(parseJsonExact(rowToJsonText(everything.rowType, bytes)));
        const w = new BsatnWriter();
        encodeValue(w, type, valueFromJson(type, parsed));
        expect(Buffer.from(w.toBytes()).toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const onlyDecodeErrors = (decode: (t: string) => unknown) => (input: string) => {
    try {
      decode(input);
    } catch (err) {
      if (!(err instanceof WasmbaseError) || err.code !== 'PROTOCOL_DECODE') throw err;
    }
  };
  /** Random text, random JSON, and valid messages with a character changed or cut short. */
  const hostile = (valid: fc.Arbitrary<string>) =>
    fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.json({ maxDepth: 4 }),
      fc
        .tuple(
          valid,
          fc.nat(),
          fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '1', '-', '\\', 'x', ' '),
        )
        .map(([t, at, c]) =>
          t.length === 0 ? t : t.slice(0, at % t.length) + c + t.slice((at % t.length) + 1),
        ),
      fc.tuple(valid, fc.nat()).map(([t, cut]) => t.slice(0, t.length === 0 ? 0 : cut % t.length)),
    );

  it('decoding hostile text only ever throws PROTOCOL_DECODE (client messages)', () => {
    fc.assert(
      fc.property(
        hostile(client.map(encodeClientMessageJson)),
        onlyDecodeErrors(decodeClientMessageJson),
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('decoding hostile text only ever throws PROTOCOL_DECODE (server messages)', () => {
    fc.assert(
      fc.property(
        hostile(withRowTypes.map(m => encodeServerMessageJson(m, schema))),
        onlyDecodeErrors(decodeServerMessageJson),
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });
});
