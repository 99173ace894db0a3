/**
 * @module
 * What a protocol handler implements to hear a database's transactions through a
 * `DatabaseFeed`, and what it is told. Nothing here knows a wire format.
 */
import type { AppliedCall } from '../host/index.js';
import type { Identity, WasmbaseError } from '../protocol/index.js';
import type { ClientDelta, CompiledSubscription } from '../subscribe/index.js';
import type { DurableMark } from './durable-mark.js';

/** What a client attaches to its own call, handed back with the call's transaction. */
export interface CallTicket {
  readonly requestId: number;
  readonly flags: number;
}

/** One transaction as one client must hear of it. */
export interface ClientTransaction {
  readonly applied: AppliedCall;
  /** Resolves once the transaction is on disk. */
  readonly durable: DurableMark;
  /**
   * This client's share of the row deltas (empty for a failed call). Clients with the same
   * share get the same array: encoders may memoise by identity.
   */
  readonly updates: readonly ClientDelta[];
  /** Set when this client made the call. */
  readonly ticket: CallTicket | undefined;
}

/** Why a feed ended: the database's module was replaced, it was deleted, or the server stops. */
export type FeedEnd = 'module-updated' | 'deleted' | 'shutdown';

export interface FeedClient {
  readonly identity: Identity;
  readonly isOwner: boolean;
  /** A transaction this client made or whose rows it subscribed to. Called synchronously. */
  transaction(tx: ClientTransaction): void;
  /** A query set was dropped because a transaction's delta for it failed. */
  querySetDropped(set: number, error: WasmbaseError, durable: DurableMark): void;
  /** The feed ended; the client should go. */
  feedEnded(reason: FeedEnd): void;
}

/** The current rows of one subscribed query. */
export interface QueryRows {
  readonly query: CompiledSubscription;
  readonly rows: readonly Uint8Array[];
}

export interface FeedLimits {
  /** Most rows an initial subscription, a delta or an unsubscribe may carry (`--sql-row-limit`). */
  readonly rowLimit: number;
  /** Subscribed queries per client (`--ws-max-subscriptions`). */
  readonly maxSubscriptions: number;
}
