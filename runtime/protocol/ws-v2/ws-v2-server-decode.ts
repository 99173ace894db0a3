/**
 * @module
 * Decoding v2 server messages, for clients and tests: the payload after the compression tag
 * byte. `readV2ServerMessage` reads one message and leaves the rest (v3 payloads hold several);
 * `decodeV2ServerMessage` wants exactly one. The input is treated as hostile: each count is
 * checked against the bytes left before anything is allocated (using the smallest encoding an
 * element can have), unknown tags and truncation are `PROTOCOL_DECODE` naming what and the byte
 * offset, and rows and byte fields are copies, never views of the input.
 */
import { BsatnReader } from '../bsatn-reader.js';
import { decodeRowList } from '../row-list.js';
import {
  readByteArray,
  readConnectionId,
  readCount,
  readIdentity,
  readOption,
  readTag,
  readText,
} from '../wire-read.js';
import {
  V2_SERVER_MESSAGE_TAGS,
  type V2QuerySetUpdate,
  type V2QueryRows,
  type V2ReducerOutcome,
  type V2ServerMessage,
  type V2TableRows,
  type V2TableUpdate,
  type V2TableUpdateRows,
  type V2TransactionUpdate,
} from './ws-v2-messages.js';

/** Smallest encodings, in bytes: a row list is `FixedSize` (1 + 2) + an empty `u32` length. */
const MIN_ROW_LIST = 7;
const MIN_TABLE_ROWS = 4 + MIN_ROW_LIST;
const MIN_TABLE_UPDATE_ROWS = 1 + MIN_ROW_LIST;
const MIN_TABLE_UPDATE = 4 + 4;
const MIN_QUERY_SET_UPDATE = 4 + 4;

function readQueryRows(r: BsatnReader): V2QueryRows {
  const count = readCount(r, 'QueryRows', 'tables', MIN_TABLE_ROWS);
  const tables: V2TableRows[] = [];
  for (let i = 0; i < count; i++) {
    const table = readText(r, 'SingleTableRows.table');
    tables.push({ table, rows: decodeRowList(r) });
  }
  return { tables };
}

const TABLE_UPDATE_ROWS_TAGS = ['PersistentTable', 'EventTable'] as const;

function readTableUpdateRows(r: BsatnReader): V2TableUpdateRows {
  if (readTag(r, TABLE_UPDATE_ROWS_TAGS, 'TableUpdateRows') === 1)
    return { tag: 'EventTable', events: decodeRowList(r) };
  const inserts = decodeRowList(r);
  return { tag: 'PersistentTable', inserts, deletes: decodeRowList(r) };
}

function readTableUpdate(r: BsatnReader): V2TableUpdate {
  const tableName = readText(r, 'TableUpdate.table_name');
  const count = readCount(r, `TableUpdate "${tableName}"`, 'row sets', MIN_TABLE_UPDATE_ROWS);
  const rows: V2TableUpdateRows[] = [];
  for (let i = 0; i < count; i++) rows.push(readTableUpdateRows(r));
  return { tableName, rows };
}

function readTransactionUpdate(r: BsatnReader): V2TransactionUpdate {
  const count = readCount(r, 'TransactionUpdate', 'query sets', MIN_QUERY_SET_UPDATE);
  const querySets: V2QuerySetUpdate[] = [];
  for (let i = 0; i < count; i++) {
    const querySetId = r.readU32();
    const n = readCount(r, `QuerySetUpdate ${querySetId}`, 'tables', MIN_TABLE_UPDATE);
    const tables: V2TableUpdate[] = [];
    for (let j = 0; j < n; j++) tables.push(readTableUpdate(r));
    querySets.push({ querySetId, tables });
  }
  return { querySets };
}

const REDUCER_OUTCOME_TAGS = ['Ok', 'OkEmpty', 'Err', 'InternalError'] as const;

function readReducerOutcome(r: BsatnReader): V2ReducerOutcome {
  switch (REDUCER_OUTCOME_TAGS[readTag(r, REDUCER_OUTCOME_TAGS, 'ReducerOutcome')]!) {
    case 'Ok': {
      const retValue = readByteArray(r, 'ReducerOk.ret_value');
      return { tag: 'Ok', retValue, transactionUpdate: readTransactionUpdate(r) };
    }
    case 'OkEmpty':
      return { tag: 'OkEmpty' };
    case 'Err':
      return { tag: 'Err', error: readByteArray(r, 'ReducerOutcome.Err') };
    case 'InternalError':
      return { tag: 'InternalError', message: readText(r, 'ReducerOutcome.InternalError') };
  }
}

type Msg<T extends V2ServerMessage['tag']> = Extract<V2ServerMessage, { tag: T }>;

function readOneOffQueryResult(r: BsatnReader): Msg<'OneOffQueryResult'> {
  const requestId = r.readU32();
  const ok = readTag(r, ['Ok', 'Err'], 'OneOffQueryResult.result') === 0;
  const result = ok
    ? { tag: 'Ok' as const, rows: readQueryRows(r) }
    : { tag: 'Err' as const, message: readText(r, 'OneOffQueryResult.result.Err') };
  return { tag: 'OneOffQueryResult', requestId, result };
}

function readProcedureResult(r: BsatnReader): Msg<'ProcedureResult'> {
  const returned = readTag(r, ['Returned', 'InternalError'], 'ProcedureStatus') === 0;
  const status = returned
    ? { tag: 'Returned' as const, value: readByteArray(r, 'ProcedureStatus.Returned') }
    : { tag: 'InternalError' as const, message: readText(r, 'ProcedureStatus.InternalError') };
  const timestamp = r.readI64();
  const totalHostExecutionDurationMicros = r.readI64();
  const requestId = r.readU32();
  return { tag: 'ProcedureResult', status, timestamp, totalHostExecutionDurationMicros, requestId };
}

function readBody(r: BsatnReader, tag: V2ServerMessage['tag']): V2ServerMessage {
  switch (tag) {
    case 'InitialConnection': {
      const identity = readIdentity(r);
      const connectionId = readConnectionId(r);
      return { tag, identity, connectionId, token: readText(r, 'InitialConnection.token') };
    }
    case 'SubscribeApplied': {
      const requestId = r.readU32();
      const querySetId = r.readU32();
      return { tag, requestId, querySetId, rows: readQueryRows(r) };
    }
    case 'UnsubscribeApplied': {
      const requestId = r.readU32();
      const querySetId = r.readU32();
      const rows = readOption(r, 'UnsubscribeApplied.rows', readQueryRows);
      return { tag, requestId, querySetId, rows };
    }
    case 'SubscriptionError': {
      const requestId = readOption(r, 'SubscriptionError.request_id', o => o.readU32());
      const querySetId = r.readU32();
      return { tag, requestId, querySetId, error: readText(r, 'SubscriptionError.error') };
    }
    case 'TransactionUpdate':
      return { tag, ...readTransactionUpdate(r) };
    case 'OneOffQueryResult':
      return readOneOffQueryResult(r);
    case 'ReducerResult': {
      const requestId = r.readU32();
      const timestamp = r.readI64();
      return { tag, requestId, timestamp, result: readReducerOutcome(r) };
    }
    case 'ProcedureResult':
      return readProcedureResult(r);
  }
}

/** Reads one server message at the reader's position, leaving any bytes after it. */
export function readV2ServerMessage(r: BsatnReader): V2ServerMessage {
  const tag = V2_SERVER_MESSAGE_TAGS[readTag(r, V2_SERVER_MESSAGE_TAGS, 'server message')]!;
  return readBody(r, tag);
}

/** Decodes exactly one server message payload; trailing bytes are `PROTOCOL_DECODE`. */
export function decodeV2ServerMessage(payload: Uint8Array): V2ServerMessage {
  const r = new BsatnReader(payload);
  const msg = readV2ServerMessage(r);
  r.expectEnd(`${msg.tag} message`);
  return msg;
}
