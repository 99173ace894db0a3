/**
 * @module
 * The WebSocket API on `GET /v1/database/:name_or_identity/subscribe`: SpacetimeDB's v3, v2
 * and v1 protocols (`v3.bsatn.spacetimedb`, `v2.bsatn.spacetimedb`, `v1.bsatn.spacetimedb`,
 * `v1.json.spacetimedb`) — reducer calls, subscriptions with incremental updates after every
 * transaction, and one-off queries. See README.md in this folder.
 */
export { registerSubscribeRoute } from './route.js';
export type { SubscribeRoute, WsDeps } from './route.js';
