/**
 * @module
 * Fan-out without any protocol in it: an applied batch's changes plus the registry of
 * subscribed queries become, per call, each client's share of the row deltas, tagged with the
 * query set the client subscribed them under. The protocol handlers only shape and encode.
 *
 * Clients with the same share get the same array object (interned per call by the list of
 * delta and query-set pairs), and each (delta, query set) pair is one `ClientDelta` object
 * shared by every client holding it: encoders memoise by identity, so a message that many
 * clients receive is built once.
 */
import type { WasmbaseError } from '../protocol/index.js';
import type { CallChanges, TableReader } from '../store/index.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import type { CompiledSubscription, QueryDelta } from './subscription-types.js';

/** One subscribed query of one client, under the query set it was subscribed with. */
export interface Subscriber<C> {
  readonly client: C;
  readonly set: number;
  readonly query: CompiledSubscription;
}

/** Rows of one query's result that one transaction changed, for one query set. */
export interface ClientDelta {
  readonly set: number;
  readonly tableId: number;
  readonly tableName: string;
  readonly inserts: readonly Uint8Array[];
  readonly deletes: readonly Uint8Array[];
}

/** A query whose delta failed (over the row limit): its subscribers must be told and dropped. */
export interface FailedQuery<C> {
  readonly subscribers: readonly Subscriber<C>[];
  readonly error: WasmbaseError;
}

/** What one call means to the clients. */
export interface CallFanOut<C> {
  readonly byClient: ReadonlyMap<C, readonly ClientDelta[]>;
  readonly failed: readonly FailedQuery<C>[];
}

const NOTHING: CallFanOut<never> = Object.freeze({
  byClient: new Map<never, readonly ClientDelta[]>(),
  failed: [],
});

/** The share of every client in one call's query deltas. */
function shares<C>(deltas: readonly QueryDelta<Subscriber<C>>[]): CallFanOut<C> {
  const failed: FailedQuery<C>[] = [];
  const keys = new Map<C, string>();
  const picks = new Map<C, ClientDelta[]>();
  const pairs = new Map<string, ClientDelta>();
  deltas.forEach((d, i) => {
    if (d.error !== undefined) {
      failed.push({ subscribers: [...d.shared.subscribers], error: d.error });
      return;
    }
    const { tableId, tableName } = d.shared.query;
    for (const sub of d.shared.subscribers) {
      const pairKey = `${i}/${sub.set}`;
      let pair = pairs.get(pairKey);
      if (pair === undefined) {
        pair = { set: sub.set, tableId, tableName, inserts: d.inserts, deletes: d.deletes };
        pairs.set(pairKey, pair);
      }
      const mine = picks.get(sub.client);
      if (mine === undefined) picks.set(sub.client, [pair]);
      else mine.push(pair);
      keys.set(sub.client, (keys.get(sub.client) ?? '') + pairKey + ',');
    }
  });
  const interned = new Map<string, readonly ClientDelta[]>();
  const byClient = new Map<C, readonly ClientDelta[]>();
  for (const [client, mine] of picks) {
    const key = keys.get(client)!;
    let shared = interned.get(key);
    if (shared === undefined) interned.set(key, (shared = Object.freeze(mine)));
    byClient.set(client, shared);
  }
  return { byClient, failed };
}

/**
 * Each call's fan-out, in order. `changes[i]` is the i-th committed call's changes; `after`
 * reads the state after the whole batch (the registry rebuilds the states in between).
 */
export function fanOut<C>(
  registry: SubscriptionRegistry<Subscriber<C>>,
  changes: readonly CallChanges[],
  after: TableReader,
): CallFanOut<C>[] {
  if (registry.size === 0) return changes.map(() => NOTHING as CallFanOut<C>);
  return registry.evaluateBatch(changes, after).map(shares);
}
