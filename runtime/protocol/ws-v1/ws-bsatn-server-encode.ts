/**
 * @module
 * Encoding server messages of the binary v1 protocol: the payload only, without the
 * compression tag byte (the WebSocket layer frames it). Layouts follow SpacetimeDB's
 * `websocket/v1.rs`; `Option<T>` is `[some = 0, none = 1]`, rows go in `BsatnRowList`s, and each
 * query update is sent as `CompressableQueryUpdate::Uncompressed` (tag 0).
 *
 * This is the fan-out hot path: one message writer is reused for every encode, and each
 * `QueryUpdate`'s bytes are memoised on the object (`bsatnMemo`), so an update shared by many
 * clients is encoded once.
 */
import { ScratchWriter, type BsatnWriter } from '../bsatn-writer.js';
import { encodeRowList } from '../row-list.js';
import { writeBsatnArgs } from './ws-bsatn-client.js';
import {
  SERVER_MESSAGE_TAGS,
  type DatabaseUpdate,
  type OneOffTable,
  type ProcedureStatus,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
  type UpdateStatus,
} from './ws-messages.js';

const messageScratch = new ScratchWriter(4096);
const updateScratch = new ScratchWriter(1024);

function writeOptionU32(w: BsatnWriter, v: number | undefined): void {
  if (v === undefined) w.writeU8(1);
  else {
    w.writeU8(0);
    w.writeU32(v);
  }
}

/** The BSATN of one `CompressableQueryUpdate::Uncompressed`, memoised on the update object. */
function queryUpdateBytes(update: QueryUpdate): Uint8Array {
  if (update.bsatnMemo !== undefined) return update.bsatnMemo;
  const w = updateScratch.begin();
  w.writeU8(0);
  encodeRowList(w, update.deletes);
  encodeRowList(w, update.inserts);
  const bytes = updateScratch.finish();
  update.bsatnMemo = bytes;
  return bytes;
}

function writeTableUpdate(w: BsatnWriter, table: TableUpdate): void {
  w.writeU32(table.tableId);
  w.writeString(table.tableName);
  w.writeU64(table.numRows);
  w.writeU32(table.updates.length);
  for (const update of table.updates) w.writeRaw(queryUpdateBytes(update));
}

function writeDatabaseUpdate(w: BsatnWriter, update: DatabaseUpdate): void {
  w.writeU32(update.tables.length);
  for (const table of update.tables) writeTableUpdate(w, table);
}

function writeUpdateStatus(w: BsatnWriter, status: UpdateStatus): void {
  switch (status.tag) {
    case 'Committed':
      w.writeU8(0);
      writeDatabaseUpdate(w, status.update);
      break;
    case 'Failed':
      w.writeU8(1);
      w.writeString(status.message);
      break;
    case 'OutOfEnergy':
      w.writeU8(2);
      break;
  }
}

function writeProcedureStatus(w: BsatnWriter, status: ProcedureStatus): void {
  switch (status.tag) {
    case 'Returned':
      w.writeU8(0);
      writeBsatnArgs(w, status.value, 'ProcedureResult');
      break;
    case 'OutOfEnergy':
      w.writeU8(1);
      break;
    case 'InternalError':
      w.writeU8(2);
      w.writeString(status.message);
      break;
  }
}

function writeOneOffTable(w: BsatnWriter, table: OneOffTable): void {
  w.writeString(table.tableName);
  encodeRowList(w, table.rows);
}

type Msg<T extends ServerMessage['tag']> = Extract<ServerMessage, { tag: T }>;

function writeTransactionUpdate(w: BsatnWriter, msg: Msg<'TransactionUpdate'>): void {
  writeUpdateStatus(w, msg.status);
  w.writeI64(msg.timestamp);
  w.writeRaw(msg.callerIdentity.bytes);
  w.writeRaw(msg.callerConnectionId.bytes);
  w.writeString(msg.reducerCall.reducerName);
  w.writeU32(msg.reducerCall.reducerId);
  writeBsatnArgs(w, msg.reducerCall.args, 'TransactionUpdate.reducer_call');
  w.writeU32(msg.reducerCall.requestId);
  w.writeBigInt(msg.energyQuantaUsed, 16);
  w.writeI64(msg.totalHostExecutionDurationMicros);
}

function writeOneOffQueryResponse(w: BsatnWriter, msg: Msg<'OneOffQueryResponse'>): void {
  w.writeBytes(msg.messageId);
  if (msg.error === undefined) w.writeU8(1);
  else {
    w.writeU8(0);
    w.writeString(msg.error);
  }
  w.writeU32(msg.tables.length);
  for (const table of msg.tables) writeOneOffTable(w, table);
  w.writeI64(msg.totalHostExecutionDurationMicros);
}

function writeServerBody(w: BsatnWriter, msg: ServerMessage): void {
  switch (msg.tag) {
    case 'InitialSubscription':
      writeDatabaseUpdate(w, msg.databaseUpdate);
      w.writeU32(msg.requestId);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      return;
    case 'TransactionUpdate':
      return writeTransactionUpdate(w, msg);
    case 'TransactionUpdateLight':
      w.writeU32(msg.requestId);
      return writeDatabaseUpdate(w, msg.update);
    case 'IdentityToken':
      w.writeRaw(msg.identity.bytes);
      w.writeString(msg.token);
      w.writeRaw(msg.connectionId.bytes);
      return;
    case 'OneOffQueryResponse':
      return writeOneOffQueryResponse(w, msg);
    case 'SubscribeApplied':
    case 'UnsubscribeApplied':
      w.writeU32(msg.requestId);
      w.writeU64(msg.totalHostExecutionDurationMicros);
      w.writeU32(msg.queryId);
      w.writeU32(msg.rows.tableId);
      w.writeString(msg.rows.tableName);
      return writeTableUpdate(w, msg.rows.tableRows);
    case 'SubscriptionError':
      w.writeU64(msg.totalHostExecutionDurationMicros);
      writeOptionU32(w, msg.requestId);
      writeOptionU32(w, msg.queryId);
      writeOptionU32(w, msg.tableId);
      return w.writeString(msg.error);
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied':
      w.writeU32(msg.requestId);
      w.writeU64(msg.totalHostExecutionDurationMicros);
      w.writeU32(msg.queryId);
      return writeDatabaseUpdate(w, msg.update);
    case 'ProcedureResult':
      writeProcedureStatus(w, msg.status);
      w.writeI64(msg.timestamp);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      return w.writeU32(msg.requestId);
  }
}

/** Encodes a server message: the payload only, without the compression tag byte. */
export function encodeServerMessageBsatn(msg: ServerMessage): Uint8Array {
  const w = messageScratch.begin();
  w.writeU8(SERVER_MESSAGE_TAGS.indexOf(msg.tag));
  writeServerBody(w, msg);
  return messageScratch.finish();
}
