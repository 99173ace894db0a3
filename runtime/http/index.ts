/**
 * @module
 * The HTTP API (SpacetimeDB's `/v1`), served by uWebSockets.js. Routes are documented in README.md.
 */
export { startHttpServer } from './server.js';
export type { HttpServer, ServerDeps } from './server.js';
export { loadUws } from './uws.js';
