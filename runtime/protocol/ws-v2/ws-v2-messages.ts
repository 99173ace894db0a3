/**
 * @module
 * The messages of SpacetimeDB's v2 WebSocket protocol (`v2.bsatn.spacetimedb`), and of v3
 * (`v3.bsatn.spacetimedb`), which carries the same messages batched several to a frame. Field
 * and variant order follows the declaration order of SpacetimeDB's `websocket/v2.rs` (the order
 * the official TypeScript SDK 2.x reads), because BSATN has no field names: order is the format.
 *
 * Binary only. Rows are BSATN of the table's row type; row lists go on the wire as
 * `BsatnRowList`. The official SDK 2.10.1's generated `client_api/types.ts` is the reference the
 * tests check the bytes against (its field order is the wire order).
 *
 * Differences from v1 that matter to a server: query-set ids instead of query ids, no reducer
 * name or arguments for non-callers, the caller's rows inside its `ReducerResult`, inserts
 * before deletes in `PersistentTable` rows.
 */
import type { ConnectionId, Identity } from '../identity.js';

export const WS_PROTOCOL_V2_BSATN = 'v2.bsatn.spacetimedb';
export const WS_PROTOCOL_V3_BSATN = 'v3.bsatn.spacetimedb';

/**
 * Largest uncompressed payload the server coalesces v3 messages into (one message may exceed it
 * alone).
 */
export const V3_MAX_COALESCED_BYTES = 512 * 1024;

/** `Unsubscribe.flags`: a sum with unit variants, in tag order. */
export const UNSUBSCRIBE_FLAGS = ['Default', 'SendDroppedRows'] as const;
export type UnsubscribeFlag = (typeof UNSUBSCRIBE_FLAGS)[number];

export type V2ClientMessage =
  | {
      readonly tag: 'Subscribe';
      readonly requestId: number;
      readonly querySetId: number;
      readonly queryStrings: readonly string[];
    }
  | {
      readonly tag: 'Unsubscribe';
      readonly requestId: number;
      readonly querySetId: number;
      readonly flags: UnsubscribeFlag;
    }
  | { readonly tag: 'OneOffQuery'; readonly requestId: number; readonly queryString: string }
  | {
      readonly tag: 'CallReducer';
      readonly requestId: number;
      /** Always 0 today. */
      readonly flags: number;
      readonly reducer: string;
      /** BSATN of the reducer's parameter product. */
      readonly args: Uint8Array;
    }
  | {
      readonly tag: 'CallProcedure';
      readonly requestId: number;
      readonly flags: number;
      readonly procedure: string;
      readonly args: Uint8Array;
    };

/** Client message variants in BSATN tag order. */
export const V2_CLIENT_MESSAGE_TAGS = [
  'Subscribe',
  'Unsubscribe',
  'OneOffQuery',
  'CallReducer',
  'CallProcedure',
] as const satisfies readonly V2ClientMessage['tag'][];

/**
 * Rows of one table in a `QueryRows` (`SingleTableRows`), as BSATN rows. Row arrays are shared
 * between the messages of many clients; the encoder memoises each array's encoded `BsatnRowList`
 * by identity (a WeakMap), so a list sent to many clients is encoded once. The same holds for
 * every row array in these messages, so an array must not change once it has been encoded.
 */
export interface V2TableRows {
  readonly table: string;
  readonly rows: readonly Uint8Array[];
}

/** `QueryRows`: the rows of a query set, per table. */
export interface V2QueryRows {
  readonly tables: readonly V2TableRows[];
}

/** `TableUpdateRows`: changed rows of a stored table, or the events of an event table. */
export type V2TableUpdateRows =
  | {
      readonly tag: 'PersistentTable';
      readonly inserts: readonly Uint8Array[];
      readonly deletes: readonly Uint8Array[];
    }
  | { readonly tag: 'EventTable'; readonly events: readonly Uint8Array[] };

export interface V2TableUpdate {
  readonly tableName: string;
  readonly rows: readonly V2TableUpdateRows[];
}

export interface V2QuerySetUpdate {
  readonly querySetId: number;
  readonly tables: readonly V2TableUpdate[];
}

export interface V2TransactionUpdate {
  readonly querySets: readonly V2QuerySetUpdate[];
}

export type V2ReducerOutcome =
  | {
      readonly tag: 'Ok';
      /** BSATN of the reducer's return value (empty: wasmbase reducers return nothing). */
      readonly retValue: Uint8Array;
      readonly transactionUpdate: V2TransactionUpdate;
    }
  | { readonly tag: 'OkEmpty' }
  /** BSATN of the error value: a BSATN string today. */
  | { readonly tag: 'Err'; readonly error: Uint8Array }
  | { readonly tag: 'InternalError'; readonly message: string };

export type V2ProcedureStatus =
  | { readonly tag: 'Returned'; readonly value: Uint8Array }
  | { readonly tag: 'InternalError'; readonly message: string };

export type V2ServerMessage =
  | {
      readonly tag: 'InitialConnection';
      readonly identity: Identity;
      readonly connectionId: ConnectionId;
      readonly token: string;
    }
  | {
      readonly tag: 'SubscribeApplied';
      readonly requestId: number;
      readonly querySetId: number;
      readonly rows: V2QueryRows;
    }
  | {
      readonly tag: 'UnsubscribeApplied';
      readonly requestId: number;
      readonly querySetId: number;
      /** Present when the client asked for `SendDroppedRows`. */
      readonly rows: V2QueryRows | undefined;
    }
  | {
      readonly tag: 'SubscriptionError';
      /** Undefined when the error arose in a transaction (the SDK then drops the connection). */
      readonly requestId: number | undefined;
      readonly querySetId: number;
      readonly error: string;
    }
  | ({ readonly tag: 'TransactionUpdate' } & V2TransactionUpdate)
  | {
      readonly tag: 'OneOffQueryResult';
      readonly requestId: number;
      readonly result:
        | { readonly tag: 'Ok'; readonly rows: V2QueryRows }
        | { readonly tag: 'Err'; readonly message: string };
    }
  | {
      readonly tag: 'ReducerResult';
      readonly requestId: number;
      /** Microseconds since the Unix epoch (SATS `Timestamp`). */
      readonly timestamp: bigint;
      readonly result: V2ReducerOutcome;
    }
  | {
      readonly tag: 'ProcedureResult';
      readonly status: V2ProcedureStatus;
      /** Microseconds since the Unix epoch. */
      readonly timestamp: bigint;
      /** Microseconds (SATS `TimeDuration`). */
      readonly totalHostExecutionDurationMicros: bigint;
      readonly requestId: number;
    };

/** Server message variants in BSATN tag order. */
export const V2_SERVER_MESSAGE_TAGS = [
  'InitialConnection',
  'SubscribeApplied',
  'UnsubscribeApplied',
  'SubscriptionError',
  'TransactionUpdate',
  'OneOffQueryResult',
  'ReducerResult',
  'ProcedureResult',
] as const satisfies readonly V2ServerMessage['tag'][];
