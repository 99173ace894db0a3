/**
 * @module
 * The service layer: what HTTP and WebSocket (and the CLI through HTTP) share, so that every
 * business rule is written once. A `Connection` is a client's session with one database
 * (`client_connected` → calls and one-off queries → `client_disconnected`); `callOnce` is an
 * HTTP call's short connection; `runSql` runs the `/sql` route's statements; a `DatabaseFeed`
 * turns a database's published batches into each client's transactions and keeps its query
 * sets, without any wire format in it.
 */
export { Connection, callOnce } from './connection.js';
export { runSql, runSqlEncoded, oneOffQuery, oneOffQuerySliced, BSATN_ROWS } from './sql.js';
export type {
  SqlCaller,
  RunSqlOptions,
  QueryTable,
  SqlRowEncoder,
  StatementRows,
  EncodedStatementResult,
} from './sql.js';
export { ResultPace, DEFAULT_SLICE, resultTooLarge } from './result-pace.js';
export type { ResultLimit, SliceOptions } from './result-pace.js';
export { DatabaseFeed } from './feed.js';
export type { SubscribeLimit } from './feed.js';
export { Feeds } from './feeds.js';
export { DurableMark } from './durable-mark.js';
export { expandAllTables } from './all-tables.js';
export { schemaFor } from './schema.js';
export type * from './feed-types.js';
export type { ClientDelta } from '../subscribe/index.js';
export { exportTable, importTable } from './table-transfer.js';
export type { ExportOptions, ImportOptions, ImportResult } from './table-transfer.js';
export { parseTransferFormat, TRANSFER_FORMATS } from './table-rows-text.js';
export type { TransferFormat } from './table-rows-text.js';
export { parseCsv, csvLine } from './csv.js';
export type { CsvRecord } from './csv.js';
export { ServerBackups } from './server-backup.js';
export type { ServerBackup, ServerBackupOptions } from './server-backup.js';
export { AbuseLimits, abuseLimitSettings, retryAfterSeconds } from './limits/abuse-limits.js';
export type {
  AbuseLimitSettings,
  CallGate,
  ConnectionSlot,
  Requester,
} from './limits/abuse-limits.js';
export { TokenBuckets } from './limits/token-buckets.js';
export type { BucketRate, Clock, TakeResult } from './limits/token-buckets.js';
export { addressKey } from './limits/client-address.js';
export { publishModule, publishArchive } from './publish.js';
export { mintIdentity } from './identity-mint.js';
