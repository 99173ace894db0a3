/**
 * @module
 * The WebSocket API: SpacetimeDB's v1 protocols (`v1.bsatn.spacetimedb`, `v1.json.spacetimedb`)
 * on `GET /v1/database/:name_or_identity/subscribe` — reducer calls, subscriptions with
 * incremental updates after every transaction, and one-off queries.
 */
export { registerSubscribeRoute } from './ws-route.js';
export type { SubscribeRoute, WsDeps } from './ws-route.js';
