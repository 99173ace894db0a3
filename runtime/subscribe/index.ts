/**
 * @module
 * Subscriptions: clients subscribe to SQL queries and, after every committed transaction,
 * receive the rows that entered or left them. `compileSubscription` checks and plans a query,
 * `evaluateSubscription` computes its current rows, and a `SubscriptionRegistry` shares
 * identical queries and computes each committed batch's deltas incrementally.
 */
export { compileSubscription } from './subscription-compile.js';
export { evaluateSubscription, evaluateSubscriptionSliced, tablesRead } from './query-eval.js';
export { SubscriptionRegistry } from './subscription-registry.js';
export type { RegistryOptions } from './subscription-registry.js';
export { batchStates } from './batch-states.js';
export { fanOut } from './fan-out.js';
export type { CallFanOut, ClientDelta, FailedQuery, Subscriber } from './fan-out.js';
export { DEFAULT_SUBSCRIPTION_ROW_LIMIT, MAX_SUBSCRIPTION_TABLES } from './subscription-types.js';
export type {
  CompiledSubscription,
  SharedQuery,
  QueryDelta,
  EvaluateOptions,
  EvaluatePace,
} from './subscription-types.js';
