/**
 * @module
 * The messages of SpacetimeDB's v1 WebSocket protocols (`v1.bsatn.spacetimedb`,
 * `v1.json.spacetimedb`), as plain TypeScript shapes. Field and variant order follows the
 * declaration order of SpacetimeDB's `websocket/v1.rs` (which is also the order the official
 * TypeScript SDK 1.12 reads), because BSATN has no field names: order is the format.
 *
 * Server messages are generic over how rows are held: BSATN row bytes on the server side
 * (`ServerMessage`), JSON texts when a JSON server message is decoded (`JsonServerMessage`).
 */
import type { ConnectionId, Identity } from '../identity.js';
import type { ProductType } from '../sats.js';

export const WS_PROTOCOL_V1_BSATN = 'v1.bsatn.spacetimedb';
export const WS_PROTOCOL_V1_JSON = 'v1.json.spacetimedb';

/** Reducer/procedure arguments: BSATN bytes (binary protocol) or a JSON text like "[1,2,1]". */
export type WsArgs =
  | { readonly format: 'bsatn'; readonly bytes: Uint8Array }
  | { readonly format: 'json'; readonly text: string };

/** `CallReducer.flags`: 0 = FullUpdate (default), 1 = NoSuccessNotify. */
export const CALL_REDUCER_FLAGS = { FullUpdate: 0, NoSuccessNotify: 1 } as const;

export type ClientMessage =
  | {
      readonly tag: 'CallReducer';
      readonly reducer: string;
      readonly args: WsArgs;
      readonly requestId: number;
      readonly flags: number;
    }
  | {
      readonly tag: 'Subscribe';
      readonly queryStrings: readonly string[];
      readonly requestId: number;
    }
  | { readonly tag: 'OneOffQuery'; readonly messageId: Uint8Array; readonly queryString: string }
  | {
      readonly tag: 'SubscribeSingle';
      readonly query: string;
      readonly requestId: number;
      readonly queryId: number;
    }
  | {
      readonly tag: 'SubscribeMulti';
      readonly queryStrings: readonly string[];
      readonly requestId: number;
      readonly queryId: number;
    }
  | { readonly tag: 'Unsubscribe'; readonly requestId: number; readonly queryId: number }
  | { readonly tag: 'UnsubscribeMulti'; readonly requestId: number; readonly queryId: number }
  | {
      readonly tag: 'CallProcedure';
      readonly procedure: string;
      readonly args: WsArgs;
      readonly requestId: number;
      readonly flags: number;
    };

/** Client message variants in BSATN tag order. */
export const CLIENT_MESSAGE_TAGS = [
  'CallReducer',
  'Subscribe',
  'OneOffQuery',
  'SubscribeSingle',
  'SubscribeMulti',
  'Unsubscribe',
  'UnsubscribeMulti',
  'CallProcedure',
] as const satisfies readonly ClientMessage['tag'][];

/** Rows of one subscribed query for one table, deletes first (as on the wire). */
export interface QueryUpdateOf<Row> {
  readonly deletes: readonly Row[];
  readonly inserts: readonly Row[];
}

/**
 * One subscribed query's rows for one table: deletes first (as on the wire). Rows are BSATN of
 * the table's row type.
 */
export interface QueryUpdate extends QueryUpdateOf<Uint8Array> {
  /**
   * Memo slots: encoders fill these the first time and reuse them, so a QueryUpdate object
   * shared by many clients is encoded once per format. Never set by callers.
   */
  bsatnMemo?: Uint8Array;
  jsonMemo?: string;
}

/** A decoded JSON query update: each row is the JSON text of the row. */
export type JsonQueryUpdate = QueryUpdateOf<string>;

export interface TableUpdateOf<Q> {
  readonly tableId: number;
  readonly tableName: string;
  readonly numRows: bigint;
  readonly updates: readonly Q[];
}
export interface DatabaseUpdateOf<Q> {
  readonly tables: readonly TableUpdateOf<Q>[];
}
export type UpdateStatusOf<Q> =
  | { readonly tag: 'Committed'; readonly update: DatabaseUpdateOf<Q> }
  | { readonly tag: 'Failed'; readonly message: string }
  | { readonly tag: 'OutOfEnergy' };
export interface SubscribeRowsOf<Q> {
  readonly tableId: number;
  readonly tableName: string;
  readonly tableRows: TableUpdateOf<Q>;
}

export type TableUpdate = TableUpdateOf<QueryUpdate>;
export type DatabaseUpdate = DatabaseUpdateOf<QueryUpdate>;
export type UpdateStatus = UpdateStatusOf<QueryUpdate>;
export type SubscribeRows = SubscribeRowsOf<QueryUpdate>;

export interface ReducerCallInfo {
  readonly reducerName: string;
  readonly reducerId: number;
  readonly args: WsArgs;
  readonly requestId: number;
}

/**
 * A table of a one-off query result. `rowType` is not on the wire: the JSON encoder needs it to
 * render rows; the BSATN decoder cannot know it and sets an empty product.
 */
export interface OneOffTable {
  readonly tableName: string;
  readonly rowType: ProductType;
  readonly rows: readonly Uint8Array[];
}
export interface JsonOneOffTable {
  readonly tableName: string;
  readonly rows: readonly string[];
}

export type ProcedureStatus =
  | { readonly tag: 'Returned'; readonly value: WsArgs }
  | { readonly tag: 'OutOfEnergy' }
  | { readonly tag: 'InternalError'; readonly message: string };

/** Server messages over row holder `Q` (query updates) and `T` (one-off tables). */
export type ServerMessageOf<Q, T> =
  | {
      readonly tag: 'InitialSubscription';
      readonly databaseUpdate: DatabaseUpdateOf<Q>;
      readonly requestId: number;
      readonly totalHostExecutionDurationMicros: bigint;
    }
  | {
      readonly tag: 'TransactionUpdate';
      readonly status: UpdateStatusOf<Q>;
      /** Microseconds since the Unix epoch. */
      readonly timestamp: bigint;
      readonly callerIdentity: Identity;
      readonly callerConnectionId: ConnectionId;
      readonly reducerCall: ReducerCallInfo;
      readonly energyQuantaUsed: bigint;
      readonly totalHostExecutionDurationMicros: bigint;
    }
  | {
      readonly tag: 'TransactionUpdateLight';
      readonly requestId: number;
      readonly update: DatabaseUpdateOf<Q>;
    }
  | {
      readonly tag: 'IdentityToken';
      readonly identity: Identity;
      readonly token: string;
      readonly connectionId: ConnectionId;
    }
  | {
      readonly tag: 'OneOffQueryResponse';
      readonly messageId: Uint8Array;
      readonly error: string | undefined;
      readonly tables: readonly T[];
      readonly totalHostExecutionDurationMicros: bigint;
    }
  | {
      readonly tag: 'SubscribeApplied' | 'UnsubscribeApplied';
      readonly requestId: number;
      readonly totalHostExecutionDurationMicros: bigint;
      readonly queryId: number;
      readonly rows: SubscribeRowsOf<Q>;
    }
  | {
      readonly tag: 'SubscriptionError';
      readonly totalHostExecutionDurationMicros: bigint;
      readonly requestId: number | undefined;
      readonly queryId: number | undefined;
      readonly tableId: number | undefined;
      readonly error: string;
    }
  | {
      readonly tag: 'SubscribeMultiApplied' | 'UnsubscribeMultiApplied';
      readonly requestId: number;
      readonly totalHostExecutionDurationMicros: bigint;
      readonly queryId: number;
      readonly update: DatabaseUpdateOf<Q>;
    }
  | {
      readonly tag: 'ProcedureResult';
      readonly status: ProcedureStatus;
      readonly timestamp: bigint;
      readonly totalHostExecutionDurationMicros: bigint;
      readonly requestId: number;
    };

export type ServerMessage = ServerMessageOf<QueryUpdate, OneOffTable>;
/** A decoded JSON server message: the same shapes, with every row as its JSON text. */
export type JsonServerMessage = ServerMessageOf<JsonQueryUpdate, JsonOneOffTable>;

/** Server message variants in BSATN tag order. */
export const SERVER_MESSAGE_TAGS = [
  'InitialSubscription',
  'TransactionUpdate',
  'TransactionUpdateLight',
  'IdentityToken',
  'OneOffQueryResponse',
  'SubscribeApplied',
  'UnsubscribeApplied',
  'SubscriptionError',
  'SubscribeMultiApplied',
  'UnsubscribeMultiApplied',
  'ProcedureResult',
] as const satisfies readonly ServerMessage['tag'][];
