/**
 * Golden v2 messages: every client and server variant (and every variant of their inner sums)
 * with its exact bytes, written by hand from the layout in spacetimedb-notes.md §2.3/§2.5 and the
 * SDK 2.10.1's `client_api/types.ts` (field order = wire order). Each hex piece is one field.
 * Integers are little-endian; strings and byte arrays are a u32 length then the bytes; sums are
 * a u8 tag; `Option` is some = 0 / none = 1; `Result` ok = 0 / err = 1.
 */
import {
  ConnectionId,
  Identity,
  type V2ClientMessage,
  type V2QueryRows,
  type V2ServerMessage,
  type V2TransactionUpdate,
} from '../../../runtime/protocol/index.js';
import { fromHex } from '../wire-test-helpers.js';

/** Two `accounts` rows, u32 id + i64 balance (12 bytes each): (1, 100) and (2, -5). */
export const ROW0 = fromHex('01000000 6400000000000000');
export const ROW1 = fromHex('02000000 fbffffffffffffff');
/** Two rows of different sizes (1 and 3 bytes): a RowOffsets list. */
export const EVENT0 = fromHex('aa');
export const EVENT1 = fromHex('bbccdd');

export const IDENTITY = new Identity(Uint8Array.from({ length: 32 }, (_, i) => i));
export const CONNECTION = new ConnectionId(Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i));
/** 2023-11-14T22:13:20Z in microseconds. */
export const TS = 1_700_000_000_000_000n;
/** transfer(from: u32 = 1, to: u32 = 2, amount: i64 = 1). */
export const TRANSFER_ARGS = fromHex('01000000 02000000 0100000000000000');

const ROWS_FIXED = [
  '00', //                   RowSizeHint tag 0 FixedSize
  '0c00', //                 u16 row size 12
  '18000000', //             rows_data: 24 bytes
  '01000000 6400000000000000', // row 0
  '02000000 fbffffffffffffff', // row 1
];
const ROWS_OFFSETS = [
  '01', //                   RowSizeHint tag 1 RowOffsets
  '02000000', //             2 offsets
  '0000000000000000', //     u64 offset 0
  '0100000000000000', //     u64 offset 1
  '04000000', //             rows_data: 4 bytes
  'aabbccdd', //             "aa" then "bbccdd"
];
const ROWS_EMPTY = [
  '00', //                   FixedSize
  '0000', //                 size 0
  '00000000', //             no data
];

export const accountRows = (): V2QueryRows => ({
  tables: [{ table: 'accounts', rows: [ROW0, ROW1] }],
});
const ACCOUNT_ROWS = [
  '01000000', //             QueryRows.tables: 1
  '08000000 6163636f756e7473', // table "accounts"
  ...ROWS_FIXED,
];

export const txUpdate = (): V2TransactionUpdate => ({
  querySets: [
    {
      querySetId: 3,
      tables: [
        {
          tableName: 'accounts',
          rows: [{ tag: 'PersistentTable', inserts: [ROW0, ROW1], deletes: [] }],
        },
        { tableName: 'events', rows: [{ tag: 'EventTable', events: [EVENT0, EVENT1] }] },
      ],
    },
  ],
});
const TX_UPDATE = [
  '01000000', //             query_sets: 1
  '03000000', //             QuerySetUpdate.query_set_id 3
  '02000000', //             tables: 2
  '08000000 6163636f756e7473', // TableUpdate.table_name "accounts"
  '01000000', //             rows: 1
  '00', //                   TableUpdateRows tag 0 PersistentTable
  ...ROWS_FIXED, //          inserts (first in v2)
  ...ROWS_EMPTY, //          deletes
  '06000000 6576656e7473', // TableUpdate.table_name "events"
  '01000000', //             rows: 1
  '01', //                   TableUpdateRows tag 1 EventTable
  ...ROWS_OFFSETS, //        events
];

type Case<M> = readonly [name: string, message: () => M, hex: readonly string[]];

export const CLIENT_CASES: readonly Case<V2ClientMessage>[] = [
  [
    'Subscribe',
    () => ({ tag: 'Subscribe', requestId: 7, querySetId: 3, queryStrings: ['SELECT * FROM t'] }),
    [
      '00', //               tag 0 Subscribe
      '07000000', //         request_id 7
      '03000000', //         query_set_id 3
      '01000000', //         query_strings: 1
      '0f000000 53454c454354202a2046524f4d2074', // "SELECT * FROM t"
    ],
  ],
  [
    'Unsubscribe Default',
    () => ({ tag: 'Unsubscribe', requestId: 8, querySetId: 3, flags: 'Default' }),
    [
      '01', //               tag 1 Unsubscribe
      '08000000', //         request_id 8
      '03000000', //         query_set_id 3
      '00', //               UnsubscribeFlags tag 0 Default
    ],
  ],
  [
    'Unsubscribe SendDroppedRows',
    () => ({ tag: 'Unsubscribe', requestId: 8, querySetId: 3, flags: 'SendDroppedRows' }),
    ['01', '08000000', '03000000', '01' /* UnsubscribeFlags tag 1 SendDroppedRows */],
  ],
  [
    'OneOffQuery',
    () => ({ tag: 'OneOffQuery', requestId: 9, queryString: 'SELECT * FROM accounts' }),
    [
      '02', //               tag 2 OneOffQuery
      '09000000', //         request_id 9
      '16000000 53454c454354202a2046524f4d206163636f756e7473', // "SELECT * FROM accounts"
    ],
  ],
  [
    'CallReducer (notes §2.8)',
    () => ({
      tag: 'CallReducer',
      requestId: 7,
      flags: 0,
      reducer: 'transfer',
      args: TRANSFER_ARGS,
    }),
    [
      '03', //               tag 3 CallReducer
      '07000000', //         request_id 7
      '00', //               flags 0
      '08000000 7472616e73666572', // reducer "transfer"
      '10000000', //         args: 16 bytes
      '01000000 02000000 0100000000000000', // from 1, to 2, amount 1
    ],
  ],
  [
    'CallProcedure',
    () => ({
      tag: 'CallProcedure',
      requestId: 11,
      flags: 0,
      procedure: 'roll',
      args: fromHex('2a000000'),
    }),
    [
      '04', //               tag 4 CallProcedure
      '0b000000', //         request_id 11
      '00', //               flags 0
      '04000000 726f6c6c', // procedure "roll"
      '04000000 2a000000', // args: 4 bytes (u32 42)
    ],
  ],
];

export const SERVER_CASES: readonly Case<V2ServerMessage>[] = [
  [
    'InitialConnection',
    () => ({
      tag: 'InitialConnection',
      identity: IDENTITY,
      connectionId: CONNECTION,
      token: 'tok.en',
    }),
    [
      '00', //               tag 0 InitialConnection
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', // identity u256 LE
      'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', // connection_id u128 LE
      '06000000 746f6b2e656e', // token "tok.en"
    ],
  ],
  [
    'SubscribeApplied',
    () => ({ tag: 'SubscribeApplied', requestId: 5, querySetId: 3, rows: accountRows() }),
    [
      '01', //               tag 1 SubscribeApplied
      '05000000', //         request_id 5
      '03000000', //         query_set_id 3
      ...ACCOUNT_ROWS,
    ],
  ],
  [
    'UnsubscribeApplied with rows',
    () => ({ tag: 'UnsubscribeApplied', requestId: 6, querySetId: 3, rows: accountRows() }),
    [
      '02', //               tag 2 UnsubscribeApplied
      '06000000', //         request_id 6
      '03000000', //         query_set_id 3
      '00', //               Option some
      ...ACCOUNT_ROWS,
    ],
  ],
  [
    'UnsubscribeApplied without rows',
    () => ({ tag: 'UnsubscribeApplied', requestId: 6, querySetId: 3, rows: undefined }),
    ['02', '06000000', '03000000', '01' /* Option none */],
  ],
  [
    'SubscriptionError with request id',
    () => ({ tag: 'SubscriptionError', requestId: 5, querySetId: 3, error: 'bad query' }),
    [
      '03', //               tag 3 SubscriptionError
      '00 05000000', //      request_id: some(5)
      '03000000', //         query_set_id 3
      '09000000 626164207175657279', // error "bad query"
    ],
  ],
  [
    'SubscriptionError without request id',
    () => ({
      tag: 'SubscriptionError',
      requestId: undefined,
      querySetId: 3,
      error: 'table dropped',
    }),
    [
      '03', //               tag 3 SubscriptionError
      '01', //               request_id: none
      '03000000', //         query_set_id 3
      '0d000000 7461626c652064726f70706564', // error "table dropped"
    ],
  ],
  [
    'TransactionUpdate (PersistentTable and EventTable rows)',
    () => ({ tag: 'TransactionUpdate', ...txUpdate() }),
    ['04' /* tag 4 TransactionUpdate */, ...TX_UPDATE],
  ],
  [
    'OneOffQueryResult Ok',
    () => ({
      tag: 'OneOffQueryResult',
      requestId: 9,
      result: { tag: 'Ok', rows: accountRows() },
    }),
    [
      '05', //               tag 5 OneOffQueryResult
      '09000000', //         request_id 9
      '00', //               Result ok
      ...ACCOUNT_ROWS,
    ],
  ],
  [
    'OneOffQueryResult Err',
    () => ({
      tag: 'OneOffQueryResult',
      requestId: 9,
      result: { tag: 'Err', message: 'no such table' },
    }),
    [
      '05', //               tag 5 OneOffQueryResult
      '09000000', //         request_id 9
      '01', //               Result err
      '0d000000 6e6f2073756368207461626c65', // "no such table"
    ],
  ],
  [
    'ReducerResult Ok',
    () => ({
      tag: 'ReducerResult',
      requestId: 7,
      timestamp: TS,
      result: { tag: 'Ok', retValue: new Uint8Array(), transactionUpdate: txUpdate() },
    }),
    [
      '06', //               tag 6 ReducerResult
      '07000000', //         request_id 7
      '00401e18240a0600', // timestamp i64 µs 1_700_000_000_000_000
      '00', //               ReducerOutcome tag 0 Ok
      '00000000', //         ReducerOk.ret_value: 0 bytes
      ...TX_UPDATE, //       ReducerOk.transaction_update
    ],
  ],
  [
    'ReducerResult OkEmpty (notes §2.8)',
    () => ({ tag: 'ReducerResult', requestId: 7, timestamp: TS, result: { tag: 'OkEmpty' } }),
    ['06', '07000000', '00401e18240a0600', '01' /* ReducerOutcome tag 1 OkEmpty */],
  ],
  [
    'ReducerResult Err',
    () => ({
      tag: 'ReducerResult',
      requestId: 7,
      timestamp: TS,
      result: { tag: 'Err', error: fromHex('12000000 696e73756666696369656e742066756e6473') },
    }),
    [
      '06', //               tag 6 ReducerResult
      '07000000', //         request_id 7
      '00401e18240a0600', // timestamp
      '02', //               ReducerOutcome tag 2 Err
      '16000000', //         error bytes: 22
      '12000000 696e73756666696369656e742066756e6473', // BSATN string "insufficient funds"
    ],
  ],
  [
    'ReducerResult InternalError',
    () => ({
      tag: 'ReducerResult',
      requestId: 7,
      timestamp: TS,
      result: { tag: 'InternalError', message: 'reducer trapped' },
    }),
    [
      '06', //               tag 6 ReducerResult
      '07000000', //         request_id 7
      '00401e18240a0600', // timestamp
      '03', //               ReducerOutcome tag 3 InternalError
      '0f000000 726564756365722074726170706564', // "reducer trapped"
    ],
  ],
  [
    'ProcedureResult Returned',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'Returned', value: fromHex('2a000000') },
      timestamp: TS,
      totalHostExecutionDurationMicros: 1500n,
      requestId: 11,
    }),
    [
      '07', //               tag 7 ProcedureResult
      '00', //               ProcedureStatus tag 0 Returned
      '04000000 2a000000', // value: 4 bytes (u32 42)
      '00401e18240a0600', // timestamp
      'dc05000000000000', // total_host_execution_duration i64 µs 1500
      '0b000000', //         request_id 11
    ],
  ],
  [
    'ProcedureResult InternalError',
    () => ({
      tag: 'ProcedureResult',
      status: { tag: 'InternalError', message: 'no such procedure' },
      timestamp: TS,
      totalHostExecutionDurationMicros: -1n,
      requestId: 11,
    }),
    [
      '07', //               tag 7 ProcedureResult
      '01', //               ProcedureStatus tag 1 InternalError
      '11000000 6e6f20737563682070726f636564757265', // "no such procedure"
      '00401e18240a0600', // timestamp
      'ffffffffffffffff', // duration -1
      '0b000000', //         request_id 11
    ],
  ],
];
