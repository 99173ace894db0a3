/**
 * @module
 * Decoding server messages of the binary v1 protocol (for clients and tests): the payload after
 * the compression tag byte. Every length is checked against the bytes present, trailing bytes
 * are an error, and every failure is `PROTOCOL_DECODE` naming what was wrong and where.
 *
 * A v1 query update may itself be compressed (`CompressableQueryUpdate` Brotli/Gzip). Inflating
 * needs zlib, which this portable leaf does not import: pass a `Decompressor` (the server has
 * `decompressBytes` in `runtime/ws/frame-compression.ts`). Without one, a compressed update is
 * `PROTOCOL_DECODE`. All compressed updates of one message share one inflation budget of
 * `MAX_DECOMPRESSED_BYTES`.
 */
import { BsatnReader } from '../bsatn-reader.js';
import { decodeRowList } from '../row-list.js';
import { MAX_DECOMPRESSED_BYTES, type Decompressor } from '../ws-frame.js';
import {
  decodeError,
  readByteArray,
  readConnectionId,
  readCount,
  readIdentity,
  readOption,
  readTag,
  readText,
} from '../wire-read.js';
import {
  SERVER_MESSAGE_TAGS,
  type DatabaseUpdate,
  type OneOffTable,
  type ProcedureStatus,
  type QueryUpdate,
  type ReducerCallInfo,
  type ServerMessage,
  type TableUpdate,
  type UpdateStatus,
} from './ws-messages.js';

/** Per-message state: compressed query updates share one inflation budget. */
interface DecodeContext {
  inflateBudget: number;
  readonly decompress: Decompressor | undefined;
}

function readQueryUpdate(r: BsatnReader): QueryUpdate {
  const deletes = decodeRowList(r);
  return { deletes, inserts: decodeRowList(r) };
}

function readCompressableQueryUpdate(r: BsatnReader, ctx: DecodeContext): QueryUpdate {
  const at = r.offset;
  const tag = r.readU8();
  if (tag === 0) return readQueryUpdate(r);
  if (tag !== 1 && tag !== 2)
    decodeError(
      `query update: unknown CompressableQueryUpdate tag ${tag} at offset ${at} ` +
        '(0 uncompressed, 1 brotli, 2 gzip)',
      { offset: at },
    );
  const compression = tag === 1 ? 'Brotli' : 'Gzip';
  const packed = r.readRawView(r.readU32());
  if (ctx.decompress === undefined)
    decodeError(`query update at offset ${at}: ${compression} data, and no decompressor given`, {
      offset: at,
    });
  const what = `query update at offset ${at}`;
  const plain = ctx.decompress(packed, compression, what, Math.max(1, ctx.inflateBudget));
  ctx.inflateBudget -= plain.length;
  const inner = new BsatnReader(plain);
  const update = readQueryUpdate(inner);
  inner.expectEnd(`compressed query update at offset ${at}`);
  return update;
}

function readTableUpdate(r: BsatnReader, ctx: DecodeContext): TableUpdate {
  const tableId = r.readU32();
  const tableName = readText(r, 'table_name');
  const numRows = r.readU64();
  // Each update takes at least one byte: a cheap bound before allocating.
  const count = readCount(r, `table update "${tableName}"`, 'query updates', 1);
  const updates: QueryUpdate[] = [];
  for (let i = 0; i < count; i++) updates.push(readCompressableQueryUpdate(r, ctx));
  return { tableId, tableName, numRows, updates };
}

function readDatabaseUpdate(r: BsatnReader, ctx: DecodeContext): DatabaseUpdate {
  const count = readCount(r, 'database update', 'tables', 1);
  const tables: TableUpdate[] = [];
  for (let i = 0; i < count; i++) tables.push(readTableUpdate(r, ctx));
  return { tables };
}

function readUpdateStatus(r: BsatnReader, ctx: DecodeContext): UpdateStatus {
  switch (readTag(r, ['Committed', 'Failed', 'OutOfEnergy'], 'UpdateStatus')) {
    case 0:
      return { tag: 'Committed', update: readDatabaseUpdate(r, ctx) };
    case 1:
      return { tag: 'Failed', message: readText(r, 'UpdateStatus.Failed') };
    default:
      return { tag: 'OutOfEnergy' };
  }
}

function readProcedureStatus(r: BsatnReader): ProcedureStatus {
  switch (readTag(r, ['Returned', 'OutOfEnergy', 'InternalError'], 'ProcedureStatus')) {
    case 0: {
      const bytes = readByteArray(r, 'ProcedureStatus.Returned');
      return { tag: 'Returned', value: { format: 'bsatn', bytes } };
    }
    case 1:
      return { tag: 'OutOfEnergy' };
    default:
      return { tag: 'InternalError', message: readText(r, 'ProcedureStatus.InternalError') };
  }
}

function readOneOffTable(r: BsatnReader): OneOffTable {
  const tableName = readText(r, 'OneOffTable.table_name');
  return { tableName, rowType: { elements: [] }, rows: decodeRowList(r) };
}

type Msg<T extends ServerMessage['tag']> = Extract<ServerMessage, { tag: T }>;

function readTransactionUpdate(r: BsatnReader, ctx: DecodeContext): Msg<'TransactionUpdate'> {
  const status = readUpdateStatus(r, ctx);
  const timestamp = r.readI64();
  const callerIdentity = readIdentity(r);
  const callerConnectionId = readConnectionId(r);
  const reducerName = readText(r, 'ReducerCallInfo.reducer_name');
  const reducerId = r.readU32();
  const bytes = readByteArray(r, 'ReducerCallInfo.args');
  const requestId = r.readU32();
  const reducerCall: ReducerCallInfo = {
    reducerName,
    reducerId,
    args: { format: 'bsatn', bytes },
    requestId,
  };
  const energyQuantaUsed = r.readBigInt(16, false);
  const totalHostExecutionDurationMicros = r.readI64();
  return {
    tag: 'TransactionUpdate',
    status,
    timestamp,
    callerIdentity,
    callerConnectionId,
    reducerCall,
    energyQuantaUsed,
    totalHostExecutionDurationMicros,
  };
}

function readOneOffQueryResponse(r: BsatnReader): Msg<'OneOffQueryResponse'> {
  const messageId = readByteArray(r, 'OneOffQueryResponse.message_id');
  const error = readOption(r, 'OneOffQueryResponse.error', o =>
    readText(o, 'OneOffQueryResponse.error'),
  );
  const count = readCount(r, 'OneOffQueryResponse', 'tables', 1);
  const tables: OneOffTable[] = [];
  for (let i = 0; i < count; i++) tables.push(readOneOffTable(r));
  const totalHostExecutionDurationMicros = r.readI64();
  return { tag: 'OneOffQueryResponse', messageId, error, tables, totalHostExecutionDurationMicros };
}

function readSubscriptionError(r: BsatnReader): Msg<'SubscriptionError'> {
  const totalHostExecutionDurationMicros = r.readU64();
  const u32 = (o: BsatnReader) => o.readU32();
  const requestId = readOption(r, 'SubscriptionError.request_id', u32);
  const queryId = readOption(r, 'SubscriptionError.query_id', u32);
  const tableId = readOption(r, 'SubscriptionError.table_id', u32);
  const error = readText(r, 'SubscriptionError.error');
  return {
    tag: 'SubscriptionError',
    totalHostExecutionDurationMicros,
    requestId,
    queryId,
    tableId,
    error,
  };
}

function readServerBody(
  r: BsatnReader,
  tag: ServerMessage['tag'],
  ctx: DecodeContext,
): ServerMessage {
  switch (tag) {
    case 'InitialSubscription': {
      const databaseUpdate = readDatabaseUpdate(r, ctx);
      const requestId = r.readU32();
      return { tag, databaseUpdate, requestId, totalHostExecutionDurationMicros: r.readI64() };
    }
    case 'TransactionUpdate':
      return readTransactionUpdate(r, ctx);
    case 'TransactionUpdateLight': {
      const requestId = r.readU32();
      return { tag, requestId, update: readDatabaseUpdate(r, ctx) };
    }
    case 'IdentityToken': {
      const identity = readIdentity(r);
      const token = readText(r, 'IdentityToken.token');
      return { tag, identity, token, connectionId: readConnectionId(r) };
    }
    case 'OneOffQueryResponse':
      return readOneOffQueryResponse(r);
    case 'SubscribeApplied':
    case 'UnsubscribeApplied': {
      const requestId = r.readU32();
      const totalHostExecutionDurationMicros = r.readU64();
      const queryId = r.readU32();
      const tableId = r.readU32();
      const tableName = readText(r, 'table_name');
      const rows = { tableId, tableName, tableRows: readTableUpdate(r, ctx) };
      return { tag, requestId, totalHostExecutionDurationMicros, queryId, rows };
    }
    case 'SubscriptionError':
      return readSubscriptionError(r);
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied': {
      const requestId = r.readU32();
      const totalHostExecutionDurationMicros = r.readU64();
      const queryId = r.readU32();
      const update = readDatabaseUpdate(r, ctx);
      return { tag, requestId, totalHostExecutionDurationMicros, queryId, update };
    }
    case 'ProcedureResult': {
      const status = readProcedureStatus(r);
      const timestamp = r.readI64();
      const totalHostExecutionDurationMicros = r.readI64();
      return { tag, status, timestamp, totalHostExecutionDurationMicros, requestId: r.readU32() };
    }
  }
}

/**
 * Decodes a server message payload (after the frame's compression byte is removed).
 * `decompress` inflates compressed query updates; without it they are `PROTOCOL_DECODE`.
 */
export function decodeServerMessageBsatn(
  payload: Uint8Array,
  decompress?: Decompressor,
): ServerMessage {
  const r = new BsatnReader(payload);
  const ctx: DecodeContext = { inflateBudget: MAX_DECOMPRESSED_BYTES, decompress };
  const tag = SERVER_MESSAGE_TAGS[readTag(r, SERVER_MESSAGE_TAGS, 'server message')]!;
  const msg = readServerBody(r, tag, ctx);
  r.expectEnd(`${tag} message`);
  return msg;
}
