/**
 * @module
 * Encoding v2 server messages: the payload only, without the compression tag byte (the
 * WebSocket layer frames it; v3 first packs several payloads together with `packV3Payloads`).
 * Field and variant order is the official SDK 2.x's; `Option` is some = 0 / none = 1, `Result`
 * ok = 0 / err = 1, timestamps and durations are i64 microseconds.
 *
 * This is the fan-out hot path. Each message is written through one reused `BsatnWriter`, and
 * each row array's encoded `BsatnRowList` is memoised in a WeakMap keyed by the array: the
 * subscription layer hands the same array to every client that sees a change, so the rows are
 * encoded once and copied into each client's message. A row array must therefore not be changed
 * after it was first encoded. Short lists (under `MEMO_MIN_ROWS` rows) are cheaper to encode
 * again than to look up, and empty ones share one constant encoding: neither is memoised.
 */
import { BsatnWriter, ScratchWriter } from '../bsatn-writer.js';
import { encodeRowList } from '../row-list.js';
import {
  V2_SERVER_MESSAGE_TAGS,
  type V2QueryRows,
  type V2ReducerOutcome,
  type V2ServerMessage,
  type V2TableUpdateRows,
  type V2TransactionUpdate,
} from './ws-v2-messages.js';

const scratch = new ScratchWriter(4096);
const rowListMemo = new WeakMap<readonly Uint8Array[], Uint8Array>();

/**
 * Lists of fewer rows are written directly: encoding them costs less than a WeakMap entry and a
 * copy (measured: memoising a fresh one-row list makes the message about 2.5 times slower).
 */
export const MEMO_MIN_ROWS = 4;

const EMPTY_ROW_LIST = (() => {
  const w = new BsatnWriter(8);
  encodeRowList(w, []);
  return w.toBytes();
})();

/** A `BsatnRowList` of `rows`, from the memo when this array was encoded before. */
function writeRowList(w: BsatnWriter, rows: readonly Uint8Array[]): void {
  if (rows.length === 0) return w.writeRaw(EMPTY_ROW_LIST);
  if (rows.length < MEMO_MIN_ROWS) return encodeRowList(w, rows);
  const memo = rowListMemo.get(rows);
  if (memo !== undefined) return w.writeRaw(memo);
  const start = w.length;
  encodeRowList(w, rows);
  rowListMemo.set(rows, w.view().slice(start));
}

function writeQueryRows(w: BsatnWriter, rows: V2QueryRows): void {
  w.writeU32(rows.tables.length);
  for (const table of rows.tables) {
    w.writeString(table.table);
    writeRowList(w, table.rows);
  }
}

function writeTableUpdateRows(w: BsatnWriter, rows: V2TableUpdateRows): void {
  if (rows.tag === 'PersistentTable') {
    w.writeU8(0);
    writeRowList(w, rows.inserts);
    writeRowList(w, rows.deletes);
  } else {
    w.writeU8(1);
    writeRowList(w, rows.events);
  }
}

function writeTransactionUpdate(w: BsatnWriter, update: V2TransactionUpdate): void {
  w.writeU32(update.querySets.length);
  for (const querySet of update.querySets) {
    w.writeU32(querySet.querySetId);
    w.writeU32(querySet.tables.length);
    for (const table of querySet.tables) {
      w.writeString(table.tableName);
      w.writeU32(table.rows.length);
      for (const rows of table.rows) writeTableUpdateRows(w, rows);
    }
  }
}

function writeReducerOutcome(w: BsatnWriter, outcome: V2ReducerOutcome): void {
  switch (outcome.tag) {
    case 'Ok':
      w.writeU8(0);
      w.writeBytes(outcome.retValue);
      return writeTransactionUpdate(w, outcome.transactionUpdate);
    case 'OkEmpty':
      return w.writeU8(1);
    case 'Err':
      w.writeU8(2);
      return w.writeBytes(outcome.error);
    case 'InternalError':
      w.writeU8(3);
      return w.writeString(outcome.message);
  }
}

function writeBody(w: BsatnWriter, msg: V2ServerMessage): void {
  switch (msg.tag) {
    case 'InitialConnection':
      w.writeRaw(msg.identity.bytes);
      w.writeRaw(msg.connectionId.bytes);
      return w.writeString(msg.token);
    case 'SubscribeApplied':
      w.writeU32(msg.requestId);
      w.writeU32(msg.querySetId);
      return writeQueryRows(w, msg.rows);
    case 'UnsubscribeApplied':
      w.writeU32(msg.requestId);
      w.writeU32(msg.querySetId);
      if (msg.rows === undefined) return w.writeU8(1);
      w.writeU8(0);
      return writeQueryRows(w, msg.rows);
    case 'SubscriptionError':
      if (msg.requestId === undefined) w.writeU8(1);
      else {
        w.writeU8(0);
        w.writeU32(msg.requestId);
      }
      w.writeU32(msg.querySetId);
      return w.writeString(msg.error);
    case 'TransactionUpdate':
      return writeTransactionUpdate(w, msg);
    case 'OneOffQueryResult':
      w.writeU32(msg.requestId);
      w.writeU8(msg.result.tag === 'Ok' ? 0 : 1);
      if (msg.result.tag === 'Ok') return writeQueryRows(w, msg.result.rows);
      return w.writeString(msg.result.message);
    case 'ReducerResult':
      w.writeU32(msg.requestId);
      w.writeI64(msg.timestamp);
      return writeReducerOutcome(w, msg.result);
    case 'ProcedureResult':
      w.writeU8(msg.status.tag === 'Returned' ? 0 : 1);
      if (msg.status.tag === 'Returned') w.writeBytes(msg.status.value);
      else w.writeString(msg.status.message);
      w.writeI64(msg.timestamp);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      return w.writeU32(msg.requestId);
  }
}

/** Appends one server message to `w` (tag byte, then its fields). */
export function writeV2ServerMessage(w: BsatnWriter, msg: V2ServerMessage): void {
  w.writeU8(V2_SERVER_MESSAGE_TAGS.indexOf(msg.tag));
  writeBody(w, msg);
}

/** Encodes one server message: the payload, without the compression tag byte. */
export function encodeV2ServerMessage(msg: V2ServerMessage): Uint8Array {
  writeV2ServerMessage(scratch.begin(), msg);
  return scratch.finish();
}
