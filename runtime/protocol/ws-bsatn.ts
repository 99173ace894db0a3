/**
 * @module
 * The binary v1 protocol (`v1.bsatn.spacetimedb`): every client and server message, both ways.
 * Layouts follow SpacetimeDB's `websocket/v1.rs` field for field; sums are a u8 tag in
 * declaration order, `Option<T>` is `[some = 0, none = 1]`, rows travel in `BsatnRowList`s and each
 * query update is a `CompressableQueryUpdate` (we send tag 0 Uncompressed and decode all three).
 *
 * Decoders treat their input as hostile: every length is checked against the bytes present and
 * the limits in `WS_LIMITS`, trailing bytes are an error, and every failure is `PROTOCOL_DECODE`
 * naming what was wrong and at which offset. Decoded byte fields are copies, never views of the
 * input (WebSocket libraries reuse their receive buffers).
 */
import { BsatnReader } from './bsatn-reader.js';
import { BsatnWriter } from './bsatn-writer.js';
import { WasmbaseError } from './error.js';
import { ConnectionId, Identity } from './identity.js';
import { decodeRowList, encodeRowList } from './row-list.js';
import { decompressBytes, MAX_DECOMPRESSED_BYTES } from './ws-frame.js';
import {
  CLIENT_MESSAGE_TAGS,
  SERVER_MESSAGE_TAGS,
  WS_LIMITS,
  type ClientMessage,
  type DatabaseUpdate,
  type OneOffTable,
  type ProcedureStatus,
  type QueryUpdate,
  type ServerMessage,
  type SubscribeRows,
  type TableUpdate,
  type UpdateStatus,
  type WsArgs,
} from './ws-messages.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Writers are reused across encodes; one that grew past this is dropped so a huge message does not pin memory. */
const KEEP_WRITER_BYTES = 1024 * 1024;
let messageWriter = new BsatnWriter(4096);
let updateWriter = new BsatnWriter(1024);

function finish(w: BsatnWriter): Uint8Array {
  const out = w.toBytes();
  if (out.length > KEEP_WRITER_BYTES) {
    if (w === messageWriter) messageWriter = new BsatnWriter(4096);
    else updateWriter = new BsatnWriter(1024);
  }
  return out;
}

function decodeError(message: string, details?: Record<string, unknown>): never {
  throw new WasmbaseError('PROTOCOL_DECODE', message, details);
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function writeArgs(w: BsatnWriter, args: WsArgs, what: string): void {
  if (args.format !== 'bsatn')
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${what}: the binary protocol carries BSATN arguments, got JSON text`,
    );
  w.writeBytes(args.bytes);
}

function writeStrings(w: BsatnWriter, items: readonly string[]): void {
  w.writeU32(items.length);
  for (const s of items) w.writeString(s);
}

function writeOptionU32(w: BsatnWriter, v: number | undefined): void {
  if (v === undefined) w.writeU8(1);
  else {
    w.writeU8(0);
    w.writeU32(v);
  }
}

function readTag(r: BsatnReader, names: readonly string[], what: string): number {
  const at = r.offset;
  const tag = r.readU8();
  if (tag >= names.length)
    decodeError(`${what}: unknown tag ${tag} at offset ${at} (expected 0..${names.length - 1})`, {
      offset: at,
    });
  return tag;
}

/** A `u32`-length-prefixed UTF-8 string of at most `limit` bytes. */
function readString(r: BsatnReader, what: string, limit?: number): string {
  const at = r.offset;
  const n = r.readU32();
  if (limit !== undefined && n > limit)
    decodeError(`${what} at offset ${at} is ${n} bytes; the limit is ${limit}`, {
      offset: at,
      limit,
    });
  const bytes = r.readRawView(n);
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeError(`${what}: invalid UTF-8 in string at offset ${at + 4}`, { offset: at + 4 });
  }
}

function readBytes(r: BsatnReader, what: string, limit?: number): Uint8Array {
  const at = r.offset;
  const n = r.readU32();
  if (limit !== undefined && n > limit)
    decodeError(`${what} at offset ${at} is ${n} bytes; the limit is ${limit}`, {
      offset: at,
      limit,
    });
  return new Uint8Array(r.readRawView(n));
}

function readStrings(r: BsatnReader, what: string): string[] {
  const at = r.offset;
  const count = r.readU32();
  if (count > WS_LIMITS.queryStrings)
    decodeError(
      `${what} at offset ${at} has ${count} query strings; the limit is ${WS_LIMITS.queryStrings}`,
      { offset: at, limit: WS_LIMITS.queryStrings },
    );
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(readString(r, `${what}[${i}]`, WS_LIMITS.queryStringBytes));
  return out;
}

function readOptionU32(r: BsatnReader, what: string): number | undefined {
  const at = r.offset;
  const tag = r.readU8();
  if (tag === 1) return undefined;
  if (tag !== 0)
    decodeError(`${what}: invalid Option tag ${tag} at offset ${at} (0 some, 1 none)`, {
      offset: at,
    });
  return r.readU32();
}

function readFlags(r: BsatnReader, max: number, what: string): number {
  const at = r.offset;
  const flags = r.readU8();
  if (flags > max)
    decodeError(`${what}: invalid flags ${flags} at offset ${at} (allowed 0..${max})`, {
      offset: at,
    });
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Client messages

/** Encodes a client message (no framing: clients send raw BSATN). */
export function encodeClientMessageBsatn(msg: ClientMessage): Uint8Array {
  const w = messageWriter.reset();
  w.writeU8(CLIENT_MESSAGE_TAGS.indexOf(msg.tag));
  switch (msg.tag) {
    case 'CallReducer':
      w.writeString(msg.reducer);
      writeArgs(w, msg.args, 'CallReducer');
      w.writeU32(msg.requestId);
      w.writeU8(msg.flags);
      break;
    case 'Subscribe':
      writeStrings(w, msg.queryStrings);
      w.writeU32(msg.requestId);
      break;
    case 'OneOffQuery':
      w.writeBytes(msg.messageId);
      w.writeString(msg.queryString);
      break;
    case 'SubscribeSingle':
      w.writeString(msg.query);
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'SubscribeMulti':
      writeStrings(w, msg.queryStrings);
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'Unsubscribe':
    case 'UnsubscribeMulti':
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'CallProcedure':
      w.writeString(msg.procedure);
      writeArgs(w, msg.args, 'CallProcedure');
      w.writeU32(msg.requestId);
      w.writeU8(msg.flags);
      break;
  }
  return finish(w);
}

/** Decodes a client message; malformed input, unknown tags and trailing bytes are `PROTOCOL_DECODE`. */
export function decodeClientMessageBsatn(bytes: Uint8Array): ClientMessage {
  const r = new BsatnReader(bytes);
  const tag = CLIENT_MESSAGE_TAGS[readTag(r, CLIENT_MESSAGE_TAGS, 'client message')]!;
  let msg: ClientMessage;
  switch (tag) {
    case 'CallReducer': {
      const reducer = readString(r, 'CallReducer.reducer', WS_LIMITS.nameBytes);
      const args = readBytes(r, 'CallReducer.args');
      msg = {
        tag,
        reducer,
        args: { format: 'bsatn', bytes: args },
        requestId: r.readU32(),
        flags: readFlags(r, 1, 'CallReducer'),
      };
      break;
    }
    case 'Subscribe':
      msg = {
        tag,
        queryStrings: readStrings(r, 'Subscribe.query_strings'),
        requestId: r.readU32(),
      };
      break;
    case 'OneOffQuery': {
      const messageId = readBytes(r, 'OneOffQuery.message_id', WS_LIMITS.messageIdBytes);
      msg = {
        tag,
        messageId,
        queryString: readString(r, 'OneOffQuery.query_string', WS_LIMITS.queryStringBytes),
      };
      break;
    }
    case 'SubscribeSingle': {
      const query = readString(r, 'SubscribeSingle.query', WS_LIMITS.queryStringBytes);
      msg = { tag, query, requestId: r.readU32(), queryId: r.readU32() };
      break;
    }
    case 'SubscribeMulti': {
      const queryStrings = readStrings(r, 'SubscribeMulti.query_strings');
      msg = { tag, queryStrings, requestId: r.readU32(), queryId: r.readU32() };
      break;
    }
    case 'Unsubscribe':
    case 'UnsubscribeMulti':
      msg = { tag, requestId: r.readU32(), queryId: r.readU32() };
      break;
    case 'CallProcedure': {
      const procedure = readString(r, 'CallProcedure.procedure', WS_LIMITS.nameBytes);
      const args = readBytes(r, 'CallProcedure.args');
      msg = {
        tag,
        procedure,
        args: { format: 'bsatn', bytes: args },
        requestId: r.readU32(),
        flags: readFlags(r, 0, 'CallProcedure'),
      };
      break;
    }
  }
  r.expectEnd(`${tag} message`);
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Server messages: encoding

/** The BSATN of one `CompressableQueryUpdate::Uncompressed`, memoized on the update object. */
function queryUpdateBytes(update: QueryUpdate): Uint8Array {
  if (update.bsatnMemo !== undefined) return update.bsatnMemo;
  const w = updateWriter.reset();
  w.writeU8(0);
  encodeRowList(w, update.deletes);
  encodeRowList(w, update.inserts);
  const bytes = finish(w);
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

function writeSubscribeRows(w: BsatnWriter, rows: SubscribeRows): void {
  w.writeU32(rows.tableId);
  w.writeString(rows.tableName);
  writeTableUpdate(w, rows.tableRows);
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
      writeArgs(w, status.value, 'ProcedureResult');
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

/** Encodes a server message: the payload only, without the compression tag byte (see `frameServerPayload`). */
export function encodeServerMessageBsatn(msg: ServerMessage): Uint8Array {
  const w = messageWriter.reset();
  w.writeU8(SERVER_MESSAGE_TAGS.indexOf(msg.tag));
  switch (msg.tag) {
    case 'InitialSubscription':
      writeDatabaseUpdate(w, msg.databaseUpdate);
      w.writeU32(msg.requestId);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      break;
    case 'TransactionUpdate':
      writeUpdateStatus(w, msg.status);
      w.writeI64(msg.timestamp);
      w.writeRaw(msg.callerIdentity.bytes);
      w.writeRaw(msg.callerConnectionId.bytes);
      w.writeString(msg.reducerCall.reducerName);
      w.writeU32(msg.reducerCall.reducerId);
      writeArgs(w, msg.reducerCall.args, 'TransactionUpdate.reducer_call');
      w.writeU32(msg.reducerCall.requestId);
      w.writeBigInt(msg.energyQuantaUsed, 16);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      break;
    case 'TransactionUpdateLight':
      w.writeU32(msg.requestId);
      writeDatabaseUpdate(w, msg.update);
      break;
    case 'IdentityToken':
      w.writeRaw(msg.identity.bytes);
      w.writeString(msg.token);
      w.writeRaw(msg.connectionId.bytes);
      break;
    case 'OneOffQueryResponse':
      w.writeBytes(msg.messageId);
      if (msg.error === undefined) w.writeU8(1);
      else {
        w.writeU8(0);
        w.writeString(msg.error);
      }
      w.writeU32(msg.tables.length);
      for (const table of msg.tables) writeOneOffTable(w, table);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      break;
    case 'SubscribeApplied':
    case 'UnsubscribeApplied':
      w.writeU32(msg.requestId);
      w.writeU64(msg.totalHostExecutionDurationMicros);
      w.writeU32(msg.queryId);
      writeSubscribeRows(w, msg.rows);
      break;
    case 'SubscriptionError':
      w.writeU64(msg.totalHostExecutionDurationMicros);
      writeOptionU32(w, msg.requestId);
      writeOptionU32(w, msg.queryId);
      writeOptionU32(w, msg.tableId);
      w.writeString(msg.error);
      break;
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied':
      w.writeU32(msg.requestId);
      w.writeU64(msg.totalHostExecutionDurationMicros);
      w.writeU32(msg.queryId);
      writeDatabaseUpdate(w, msg.update);
      break;
    case 'ProcedureResult':
      writeProcedureStatus(w, msg.status);
      w.writeI64(msg.timestamp);
      w.writeI64(msg.totalHostExecutionDurationMicros);
      w.writeU32(msg.requestId);
      break;
  }
  return finish(w);
}

// ---------------------------------------------------------------------------------------------
// Server messages: decoding

/** Per-message state: compressed query updates share one inflation budget. */
interface DecodeContext {
  inflateBudget: number;
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
      `query update: unknown CompressableQueryUpdate tag ${tag} at offset ${at} (0 uncompressed, 1 brotli, 2 gzip)`,
      { offset: at },
    );
  const packed = r.readRawView(r.readU32());
  const plain = decompressBytes(
    packed,
    tag === 1 ? 'Brotli' : 'Gzip',
    `query update at offset ${at}`,
    Math.max(1, ctx.inflateBudget),
  );
  ctx.inflateBudget -= plain.length;
  const inner = new BsatnReader(plain);
  const update = readQueryUpdate(inner);
  inner.expectEnd(`compressed query update at offset ${at}`);
  return update;
}

function readTableUpdate(r: BsatnReader, ctx: DecodeContext): TableUpdate {
  const tableId = r.readU32();
  const tableName = readString(r, 'table_name');
  const numRows = r.readU64();
  const count = r.readU32();
  // Each update takes at least one byte: a cheap bound before allocating.
  if (count > r.remaining)
    decodeError(
      `table update "${tableName}": ${count} query updates exceed the input at offset ${r.offset}`,
      { offset: r.offset },
    );
  const updates: QueryUpdate[] = [];
  for (let i = 0; i < count; i++) updates.push(readCompressableQueryUpdate(r, ctx));
  return { tableId, tableName, numRows, updates };
}

function readDatabaseUpdate(r: BsatnReader, ctx: DecodeContext): DatabaseUpdate {
  const count = r.readU32();
  if (count > r.remaining)
    decodeError(`database update: ${count} tables exceed the input at offset ${r.offset}`, {
      offset: r.offset,
    });
  const tables: TableUpdate[] = [];
  for (let i = 0; i < count; i++) tables.push(readTableUpdate(r, ctx));
  return { tables };
}

function readSubscribeRows(r: BsatnReader, ctx: DecodeContext): SubscribeRows {
  const tableId = r.readU32();
  const tableName = readString(r, 'table_name');
  return { tableId, tableName, tableRows: readTableUpdate(r, ctx) };
}

function readIdentity(r: BsatnReader): Identity {
  return new Identity(new Uint8Array(r.readRawView(32)));
}

function readConnectionId(r: BsatnReader): ConnectionId {
  return new ConnectionId(new Uint8Array(r.readRawView(16)));
}

function readUpdateStatus(r: BsatnReader, ctx: DecodeContext): UpdateStatus {
  switch (readTag(r, ['Committed', 'Failed', 'OutOfEnergy'], 'UpdateStatus')) {
    case 0:
      return { tag: 'Committed', update: readDatabaseUpdate(r, ctx) };
    case 1:
      return { tag: 'Failed', message: readString(r, 'UpdateStatus.Failed') };
    default:
      return { tag: 'OutOfEnergy' };
  }
}

function readProcedureStatus(r: BsatnReader): ProcedureStatus {
  switch (readTag(r, ['Returned', 'OutOfEnergy', 'InternalError'], 'ProcedureStatus')) {
    case 0:
      return {
        tag: 'Returned',
        value: { format: 'bsatn', bytes: readBytes(r, 'ProcedureStatus.Returned') },
      };
    case 1:
      return { tag: 'OutOfEnergy' };
    default:
      return { tag: 'InternalError', message: readString(r, 'ProcedureStatus.InternalError') };
  }
}

function readOneOffTable(r: BsatnReader): OneOffTable {
  const tableName = readString(r, 'OneOffTable.table_name');
  return { tableName, rowType: { elements: [] }, rows: decodeRowList(r) };
}

/** Decodes a server message payload (after `unframeServerPayload`). */
export function decodeServerMessageBsatn(payload: Uint8Array): ServerMessage {
  const r = new BsatnReader(payload);
  const ctx: DecodeContext = { inflateBudget: MAX_DECOMPRESSED_BYTES };
  const tag = SERVER_MESSAGE_TAGS[readTag(r, SERVER_MESSAGE_TAGS, 'server message')]!;
  let msg: ServerMessage;
  switch (tag) {
    case 'InitialSubscription': {
      const databaseUpdate = readDatabaseUpdate(r, ctx);
      msg = {
        tag,
        databaseUpdate,
        requestId: r.readU32(),
        totalHostExecutionDurationMicros: r.readI64(),
      };
      break;
    }
    case 'TransactionUpdate': {
      const status = readUpdateStatus(r, ctx);
      const timestamp = r.readI64();
      const callerIdentity = readIdentity(r);
      const callerConnectionId = readConnectionId(r);
      const reducerName = readString(r, 'ReducerCallInfo.reducer_name');
      const reducerId = r.readU32();
      const args = readBytes(r, 'ReducerCallInfo.args');
      const reducerCall = {
        reducerName,
        reducerId,
        args: { format: 'bsatn', bytes: args } as const,
        requestId: r.readU32(),
      };
      const energyQuantaUsed = r.readBigInt(16, false);
      msg = {
        tag,
        status,
        timestamp,
        callerIdentity,
        callerConnectionId,
        reducerCall,
        energyQuantaUsed,
        totalHostExecutionDurationMicros: r.readI64(),
      };
      break;
    }
    case 'TransactionUpdateLight': {
      const requestId = r.readU32();
      msg = { tag, requestId, update: readDatabaseUpdate(r, ctx) };
      break;
    }
    case 'IdentityToken': {
      const identity = readIdentity(r);
      const token = readString(r, 'IdentityToken.token');
      msg = { tag, identity, token, connectionId: readConnectionId(r) };
      break;
    }
    case 'OneOffQueryResponse': {
      const messageId = readBytes(r, 'OneOffQueryResponse.message_id');
      const at = r.offset;
      const errorTag = r.readU8();
      if (errorTag > 1)
        decodeError(
          `OneOffQueryResponse.error: invalid Option tag ${errorTag} at offset ${at} (0 some, 1 none)`,
          { offset: at },
        );
      const error = errorTag === 0 ? readString(r, 'OneOffQueryResponse.error') : undefined;
      const count = r.readU32();
      if (count > r.remaining)
        decodeError(`OneOffQueryResponse: ${count} tables exceed the input at offset ${r.offset}`, {
          offset: r.offset,
        });
      const tables: OneOffTable[] = [];
      for (let i = 0; i < count; i++) tables.push(readOneOffTable(r));
      msg = { tag, messageId, error, tables, totalHostExecutionDurationMicros: r.readI64() };
      break;
    }
    case 'SubscribeApplied':
    case 'UnsubscribeApplied': {
      const requestId = r.readU32();
      const totalHostExecutionDurationMicros = r.readU64();
      const queryId = r.readU32();
      msg = {
        tag,
        requestId,
        totalHostExecutionDurationMicros,
        queryId,
        rows: readSubscribeRows(r, ctx),
      };
      break;
    }
    case 'SubscriptionError': {
      const totalHostExecutionDurationMicros = r.readU64();
      const requestId = readOptionU32(r, 'SubscriptionError.request_id');
      const queryId = readOptionU32(r, 'SubscriptionError.query_id');
      const tableId = readOptionU32(r, 'SubscriptionError.table_id');
      msg = {
        tag,
        totalHostExecutionDurationMicros,
        requestId,
        queryId,
        tableId,
        error: readString(r, 'SubscriptionError.error'),
      };
      break;
    }
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied': {
      const requestId = r.readU32();
      const totalHostExecutionDurationMicros = r.readU64();
      const queryId = r.readU32();
      msg = {
        tag,
        requestId,
        totalHostExecutionDurationMicros,
        queryId,
        update: readDatabaseUpdate(r, ctx),
      };
      break;
    }
    case 'ProcedureResult': {
      const status = readProcedureStatus(r);
      const timestamp = r.readI64();
      const totalHostExecutionDurationMicros = r.readI64();
      msg = { tag, status, timestamp, totalHostExecutionDurationMicros, requestId: r.readU32() };
      break;
    }
  }
  r.expectEnd(`${tag} message`);
  return msg;
}
