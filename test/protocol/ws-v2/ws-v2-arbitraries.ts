/** fast-check arbitraries for v2 WebSocket messages (valid ones: they encode and decode back). */
import fc from 'fast-check';
import {
  UNSUBSCRIBE_FLAGS,
  type V2ClientMessage,
  type V2QueryRows,
  type V2ReducerOutcome,
  type V2ServerMessage,
  type V2TableUpdateRows,
  type V2TransactionUpdate,
} from '../../../runtime/protocol/index.js';
import { bsatnRows, connectionId, i64, identity, text, u32 } from '../wire-arbitraries.js';

const bytes = fc.uint8Array({ maxLength: 24 });

export const v2Client: fc.Arbitrary<V2ClientMessage> = fc.oneof(
  fc.record({
    tag: fc.constant('Subscribe' as const),
    requestId: u32,
    querySetId: u32,
    queryStrings: fc.array(text(40), { maxLength: 3 }),
  }),
  fc.record({
    tag: fc.constant('Unsubscribe' as const),
    requestId: u32,
    querySetId: u32,
    flags: fc.constantFrom(...UNSUBSCRIBE_FLAGS),
  }),
  fc.record({ tag: fc.constant('OneOffQuery' as const), requestId: u32, queryString: text(40) }),
  fc.record({
    tag: fc.constant('CallReducer' as const),
    requestId: u32,
    flags: fc.constant(0),
    reducer: text(),
    args: bytes,
  }),
  fc.record({
    tag: fc.constant('CallProcedure' as const),
    requestId: u32,
    flags: fc.constant(0),
    procedure: text(),
    args: bytes,
  }),
);

const queryRows: fc.Arbitrary<V2QueryRows> = fc.record({
  tables: fc.array(fc.record({ table: text(), rows: bsatnRows }), { maxLength: 2 }),
});

const tableUpdateRows: fc.Arbitrary<V2TableUpdateRows> = fc.oneof(
  fc.record({
    tag: fc.constant('PersistentTable' as const),
    inserts: bsatnRows,
    deletes: bsatnRows,
  }),
  fc.record({ tag: fc.constant('EventTable' as const), events: bsatnRows }),
);

const transactionUpdate: fc.Arbitrary<V2TransactionUpdate> = fc.record({
  querySets: fc.array(
    fc.record({
      querySetId: u32,
      tables: fc.array(
        fc.record({ tableName: text(), rows: fc.array(tableUpdateRows, { maxLength: 2 }) }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});

const reducerOutcome: fc.Arbitrary<V2ReducerOutcome> = fc.oneof(
  fc.record({ tag: fc.constant('Ok' as const), retValue: bytes, transactionUpdate }),
  fc.constant({ tag: 'OkEmpty' as const }),
  fc.record({ tag: fc.constant('Err' as const), error: bytes }),
  fc.record({ tag: fc.constant('InternalError' as const), message: text() }),
);

export const v2Server: fc.Arbitrary<V2ServerMessage> = fc.oneof(
  fc.record({
    tag: fc.constant('InitialConnection' as const),
    identity,
    connectionId,
    token: text(60),
  }),
  fc.record({
    tag: fc.constant('SubscribeApplied' as const),
    requestId: u32,
    querySetId: u32,
    rows: queryRows,
  }),
  fc.record({
    tag: fc.constant('UnsubscribeApplied' as const),
    requestId: u32,
    querySetId: u32,
    rows: fc.option(queryRows, { nil: undefined }),
  }),
  fc.record({
    tag: fc.constant('SubscriptionError' as const),
    requestId: fc.option(u32, { nil: undefined }),
    querySetId: u32,
    error: text(),
  }),
  transactionUpdate.map(update => ({ tag: 'TransactionUpdate' as const, ...update })),
  fc.record({
    tag: fc.constant('OneOffQueryResult' as const),
    requestId: u32,
    result: fc.oneof(
      queryRows.map(rows => ({ tag: 'Ok' as const, rows })),
      text().map(message => ({ tag: 'Err' as const, message })),
    ),
  }),
  fc.record({
    tag: fc.constant('ReducerResult' as const),
    requestId: u32,
    timestamp: i64,
    result: reducerOutcome,
  }),
  fc.record({
    tag: fc.constant('ProcedureResult' as const),
    status: fc.oneof(
      bytes.map(value => ({ tag: 'Returned' as const, value })),
      text().map(message => ({ tag: 'InternalError' as const, message })),
    ),
    timestamp: i64,
    totalHostExecutionDurationMicros: i64,
    requestId: u32,
  }),
);
