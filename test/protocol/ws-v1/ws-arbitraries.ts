/** fast-check arbitraries for v1 WebSocket messages, shared by the BSATN and JSON codec tests. */
import fc from 'fast-check';
import {
  type ClientMessage,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
  type WsArgs,
} from '../../../runtime/protocol/index.js';
import { connectionId, i64, identity, text, u128, u32, u64 } from '../wire-arbitraries.js';

/** Builds arbitraries for messages whose rows come from `rows` and args from `args`. */
export function messageArbitraries(opts: {
  rows: fc.Arbitrary<Uint8Array[]>;
  args: fc.Arbitrary<WsArgs>;
  tableIds?: fc.Arbitrary<number>;
}) {
  const tableId = opts.tableIds ?? u32;
  const queryUpdate: fc.Arbitrary<QueryUpdate> = fc.record({
    deletes: opts.rows,
    inserts: opts.rows,
  });
  const tableUpdate: fc.Arbitrary<TableUpdate> = fc.record({
    tableId,
    tableName: text(),
    numRows: u64,
    updates: fc.array(queryUpdate, { maxLength: 2 }),
  });
  const databaseUpdate = fc.record({ tables: fc.array(tableUpdate, { maxLength: 2 }) });
  const optU32 = fc.option(u32, { nil: undefined });

  const client: fc.Arbitrary<ClientMessage> = fc.oneof(
    fc.record({
      tag: fc.constant('CallReducer' as const),
      reducer: text(),
      args: opts.args,
      requestId: u32,
      flags: fc.integer({ min: 0, max: 1 }),
    }),
    fc.record({
      tag: fc.constant('Subscribe' as const),
      queryStrings: fc.array(text(40), { maxLength: 3 }),
      requestId: u32,
    }),
    fc.record({
      tag: fc.constant('OneOffQuery' as const),
      messageId: fc.uint8Array({ maxLength: 16 }),
      queryString: text(40),
    }),
    fc.record({
      tag: fc.constant('SubscribeSingle' as const),
      query: text(40),
      requestId: u32,
      queryId: u32,
    }),
    fc.record({
      tag: fc.constant('SubscribeMulti' as const),
      queryStrings: fc.array(text(40), { maxLength: 3 }),
      requestId: u32,
      queryId: u32,
    }),
    fc.record({ tag: fc.constant('Unsubscribe' as const), requestId: u32, queryId: u32 }),
    fc.record({ tag: fc.constant('UnsubscribeMulti' as const), requestId: u32, queryId: u32 }),
    fc.record({
      tag: fc.constant('CallProcedure' as const),
      procedure: text(),
      args: opts.args,
      requestId: u32,
      flags: fc.constant(0),
    }),
  );

  const server: fc.Arbitrary<ServerMessage> = fc.oneof(
    fc.record({
      tag: fc.constant('InitialSubscription' as const),
      databaseUpdate,
      requestId: u32,
      totalHostExecutionDurationMicros: i64,
    }),
    fc.record({
      tag: fc.constant('TransactionUpdate' as const),
      status: fc.oneof(
        databaseUpdate.map(update => ({ tag: 'Committed' as const, update })),
        text().map(message => ({ tag: 'Failed' as const, message })),
        fc.constant({ tag: 'OutOfEnergy' as const }),
      ),
      timestamp: i64,
      callerIdentity: identity,
      callerConnectionId: connectionId,
      reducerCall: fc.record({
        reducerName: text(),
        reducerId: u32,
        args: opts.args,
        requestId: u32,
      }),
      energyQuantaUsed: u128,
      totalHostExecutionDurationMicros: i64,
    }),
    fc.record({
      tag: fc.constant('TransactionUpdateLight' as const),
      requestId: u32,
      update: databaseUpdate,
    }),
    fc.record({
      tag: fc.constant('IdentityToken' as const),
      identity,
      token: text(60),
      connectionId,
    }),
    fc.record({
      tag: fc.constant('OneOffQueryResponse' as const),
      messageId: fc.uint8Array({ maxLength: 16 }),
      error: fc.option(text(), { nil: undefined }),
      tables: fc.array(
        fc.record({ tableName: text(), rowType: fc.constant({ elements: [] }), rows: opts.rows }),
        { maxLength: 2 },
      ),
      totalHostExecutionDurationMicros: i64,
    }),
    fc.record({
      tag: fc.constantFrom('SubscribeApplied' as const, 'UnsubscribeApplied' as const),
      requestId: u32,
      totalHostExecutionDurationMicros: u64,
      queryId: u32,
      rows: fc.record({ tableId: u32, tableName: text(), tableRows: tableUpdate }),
    }),
    fc.record({
      tag: fc.constant('SubscriptionError' as const),
      totalHostExecutionDurationMicros: u64,
      requestId: optU32,
      queryId: optU32,
      tableId: optU32,
      error: text(),
    }),
    fc.record({
      tag: fc.constantFrom('SubscribeMultiApplied' as const, 'UnsubscribeMultiApplied' as const),
      requestId: u32,
      totalHostExecutionDurationMicros: u64,
      queryId: u32,
      update: databaseUpdate,
    }),
    fc.record({
      tag: fc.constant('ProcedureResult' as const),
      status: fc.oneof(
        opts.args.map(value => ({ tag: 'Returned' as const, value })),
        fc.constant({ tag: 'OutOfEnergy' as const }),
        text().map(message => ({ tag: 'InternalError' as const, message })),
      ),
      timestamp: i64,
      totalHostExecutionDurationMicros: i64,
      requestId: u32,
    }),
  );
  return { client, server };
}

/**
 * A deep copy of plain data (fast-check records have a null prototype) without the encoders'
 * memo slots; class instances are kept as they are.
 */
export function withoutMemos<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMemos) as T;
  if (
    typeof value === 'object' &&
    value !== null &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== 'bsatnMemo' && k !== 'jsonMemo') out[k] = withoutMemos(v);
    return out as T;
  }
  return value;
}
