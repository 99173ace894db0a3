/**
 * @module
 * The text v1 protocol (`v1.json.spacetimedb`): every client and server message, both ways, as
 * SpacetimeDB's SATS-JSON. A message is `{"<Variant>": {<snake_case fields>}}`; a `QueryId` is
 * `{"id": n}`; an Option is `{"some": v}` / `{"none": []}`; a unit variant is `[]`; bytes are
 * hex; Identity is `{"__identity__": "0x…"}`, ConnectionId `{"__connection_id__": <u128>}`,
 * Timestamp / TimeDuration are one-field objects of microseconds; u64/u128 are bare numbers.
 * Reducer arguments are a JSON text inside a string; each row is the JSON text of the row (see
 * `ws-json-value.ts`) inside a string. There is no compression in the text protocol.
 *
 * Encoding server messages needs the module schema to render row bytes (table id → row type)
 * and BSATN reducer arguments (reducer id → parameters).
 */
import { WasmbaseError } from './error.js';
import type { ConnectionId, Identity } from './identity.js';
import type { ModuleSchema } from './module-schema.js';
import * as read from './ws-json-read.js';
import { parseJsonExact } from './ws-json-parse.js';
import { argsToJsonText, rowToJsonText } from './ws-json-value.js';
import {
  CLIENT_MESSAGE_TAGS,
  SERVER_MESSAGE_TAGS,
  WS_LIMITS,
  type ClientMessage,
  type DatabaseUpdate,
  type DatabaseUpdateOf,
  type JsonOneOffTable,
  type JsonQueryUpdate,
  type JsonServerMessage,
  type OneOffTable,
  type ProcedureStatus,
  type QueryUpdate,
  type ReducerCallInfo,
  type ServerMessage,
  type SubscribeRowsOf,
  type TableUpdate,
  type TableUpdateOf,
  type UpdateStatus,
  type UpdateStatusOf,
  type WsArgs,
} from './ws-messages.js';

const q = JSON.stringify;

// ---------------------------------------------------------------------------------------------
// Client messages

function argsText(args: WsArgs, what: string): string {
  if (args.format !== 'json')
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${what}: the JSON protocol carries arguments as JSON text, got BSATN bytes`,
    );
  return args.text;
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** Encodes a client message as SATS-JSON text. */
export function encodeClientMessageJson(msg: ClientMessage): string {
  switch (msg.tag) {
    case 'CallReducer':
      return q({
        CallReducer: {
          reducer: msg.reducer,
          args: argsText(msg.args, 'CallReducer'),
          request_id: msg.requestId,
          flags: msg.flags,
        },
      });
    case 'Subscribe':
      return q({ Subscribe: { query_strings: msg.queryStrings, request_id: msg.requestId } });
    case 'OneOffQuery':
      return q({ OneOffQuery: { message_id: hex(msg.messageId), query_string: msg.queryString } });
    case 'SubscribeSingle':
      return q({
        SubscribeSingle: {
          query: msg.query,
          request_id: msg.requestId,
          query_id: { id: msg.queryId },
        },
      });
    case 'SubscribeMulti':
      return q({
        SubscribeMulti: {
          query_strings: msg.queryStrings,
          request_id: msg.requestId,
          query_id: { id: msg.queryId },
        },
      });
    case 'Unsubscribe':
      return q({ Unsubscribe: { request_id: msg.requestId, query_id: { id: msg.queryId } } });
    case 'UnsubscribeMulti':
      return q({ UnsubscribeMulti: { request_id: msg.requestId, query_id: { id: msg.queryId } } });
    case 'CallProcedure':
      return q({
        CallProcedure: {
          procedure: msg.procedure,
          args: argsText(msg.args, 'CallProcedure'),
          request_id: msg.requestId,
          flags: msg.flags,
        },
      });
  }
}

function jsonArgs(v: unknown, path: string): WsArgs {
  if (typeof v !== 'string')
    read.jsonFail(path, 'expected the arguments as a JSON text string, such as "[1,2,1]"');
  return { format: 'json', text: v };
}

function flags(v: unknown, path: string, max: number): number {
  const n = read.u8(v, path);
  if (n > max) read.jsonFail(path, `invalid flags ${n} (allowed 0..${max})`);
  return n;
}

function parseClientJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WasmbaseError(
      'PROTOCOL_DECODE',
      `client message: invalid JSON: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

/** Decodes a client message from SATS-JSON text; anything malformed is `PROTOCOL_DECODE` naming the field. */
export function decodeClientMessageJson(text: string): ClientMessage {
  const [tag, body] = read.variant(parseClientJson(text), 'client message', CLIENT_MESSAGE_TAGS);
  const queries = (v: unknown, path: string) =>
    read.array(
      v,
      path,
      (x, p) => read.str(x, p, WS_LIMITS.queryStringBytes),
      WS_LIMITS.queryStrings,
    );
  switch (tag) {
    case 'CallReducer': {
      const f = read.fields(body, tag, ['reducer', 'args', 'request_id', 'flags']);
      return {
        tag,
        reducer: read.str(f['reducer'], 'CallReducer.reducer', WS_LIMITS.nameBytes),
        args: jsonArgs(f['args'], 'CallReducer.args'),
        requestId: read.u32(f['request_id'], 'CallReducer.request_id'),
        flags: flags(f['flags'], 'CallReducer.flags', 1),
      };
    }
    case 'Subscribe': {
      const f = read.fields(body, tag, ['query_strings', 'request_id']);
      return {
        tag,
        queryStrings: queries(f['query_strings'], 'Subscribe.query_strings'),
        requestId: read.u32(f['request_id'], 'Subscribe.request_id'),
      };
    }
    case 'OneOffQuery': {
      const f = read.fields(body, tag, ['message_id', 'query_string']);
      return {
        tag,
        messageId: read.hexBytes(
          f['message_id'],
          'OneOffQuery.message_id',
          WS_LIMITS.messageIdBytes,
        ),
        queryString: read.str(
          f['query_string'],
          'OneOffQuery.query_string',
          WS_LIMITS.queryStringBytes,
        ),
      };
    }
    case 'SubscribeSingle': {
      const f = read.fields(body, tag, ['query', 'request_id', 'query_id']);
      return {
        tag,
        query: read.str(f['query'], 'SubscribeSingle.query', WS_LIMITS.queryStringBytes),
        requestId: read.u32(f['request_id'], 'SubscribeSingle.request_id'),
        queryId: read.queryId(f['query_id'], 'SubscribeSingle.query_id'),
      };
    }
    case 'SubscribeMulti': {
      const f = read.fields(body, tag, ['query_strings', 'request_id', 'query_id']);
      return {
        tag,
        queryStrings: queries(f['query_strings'], 'SubscribeMulti.query_strings'),
        requestId: read.u32(f['request_id'], 'SubscribeMulti.request_id'),
        queryId: read.queryId(f['query_id'], 'SubscribeMulti.query_id'),
      };
    }
    case 'Unsubscribe':
    case 'UnsubscribeMulti': {
      const f = read.fields(body, tag, ['request_id', 'query_id']);
      return {
        tag,
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        queryId: read.queryId(f['query_id'], `${tag}.query_id`),
      };
    }
    case 'CallProcedure': {
      const f = read.fields(body, tag, ['procedure', 'args', 'request_id', 'flags']);
      return {
        tag,
        procedure: read.str(f['procedure'], 'CallProcedure.procedure', WS_LIMITS.nameBytes),
        args: jsonArgs(f['args'], 'CallProcedure.args'),
        requestId: read.u32(f['request_id'], 'CallProcedure.request_id'),
        flags: flags(f['flags'], 'CallProcedure.flags', 0),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Server messages: encoding (text is built directly, so u64/u128 stay exact bare numbers)

const identityJson = (id: Identity): string => `{"__identity__":"0x${id.toBigInt().toString(16)}"}`;
const connectionIdJson = (id: ConnectionId): string =>
  `{"__connection_id__":${id.toBigInt().toString()}}`;
const timestampJson = (micros: bigint): string =>
  `{"__timestamp_micros_since_unix_epoch__":${micros.toString()}}`;
const durationJson = (micros: bigint): string =>
  `{"__time_duration_micros__":${micros.toString()}}`;
const optionU32Json = (v: number | undefined): string =>
  v === undefined ? '{"none":[]}' : `{"some":${v}}`;

function rowsJson(rows: readonly Uint8Array[], render: (row: Uint8Array) => string): string {
  let s = '[';
  for (let i = 0; i < rows.length; i++) s += (i === 0 ? '' : ',') + q(render(rows[i]!));
  return s + ']';
}

class ServerJsonEncoder {
  constructor(readonly schema: ModuleSchema) {}

  #table(tableId: number, tableName: string) {
    const table = this.schema.tables[tableId];
    if (table === undefined || table.id !== tableId)
      throw new WasmbaseError(
        'INTERNAL',
        `JSON encoding: no table ${tableId} ("${tableName}") in the module schema`,
      );
    return table;
  }

  queryUpdate(update: QueryUpdate, tableId: number, tableName: string): string {
    if (update.jsonMemo !== undefined) return update.jsonMemo;
    const rowType = this.#table(tableId, tableName).rowType;
    const render = (row: Uint8Array) => rowToJsonText(rowType, row);
    const text = `{"deletes":${rowsJson(update.deletes, render)},"inserts":${rowsJson(update.inserts, render)}}`;
    update.jsonMemo = text;
    return text;
  }

  tableUpdate(t: TableUpdate): string {
    const updates = t.updates.map(u => this.queryUpdate(u, t.tableId, t.tableName)).join(',');
    return `{"table_id":${t.tableId},"table_name":${q(t.tableName)},"num_rows":${t.numRows.toString()},"updates":[${updates}]}`;
  }

  databaseUpdate(d: DatabaseUpdate): string {
    return `{"tables":[${d.tables.map(t => this.tableUpdate(t)).join(',')}]}`;
  }

  updateStatus(s: UpdateStatus): string {
    switch (s.tag) {
      case 'Committed':
        return `{"Committed":${this.databaseUpdate(s.update)}}`;
      case 'Failed':
        return `{"Failed":${q(s.message)}}`;
      case 'OutOfEnergy':
        return '{"OutOfEnergy":[]}';
    }
  }

  reducerArgs(call: ReducerCallInfo): string {
    if (call.args.format === 'json') return call.args.text;
    const byId = this.schema.reducers[call.reducerId];
    const reducer =
      byId?.name === call.reducerName ? byId : this.schema.reducerByName(call.reducerName);
    if (reducer === undefined)
      throw new WasmbaseError(
        'INTERNAL',
        `JSON encoding: no reducer "${call.reducerName}" (id ${call.reducerId}) in the module schema`,
      );
    return argsToJsonText(reducer.params, call.args.bytes);
  }

  procedureStatus(s: ProcedureStatus): string {
    switch (s.tag) {
      case 'Returned':
        if (s.value.format !== 'json')
          throw new WasmbaseError(
            'INTERNAL',
            'JSON encoding: a procedure return value must be given as JSON text',
          );
        return `{"Returned":${q(s.value.text)}}`;
      case 'OutOfEnergy':
        return '{"OutOfEnergy":[]}';
      case 'InternalError':
        return `{"InternalError":${q(s.message)}}`;
    }
  }

  oneOffTable(t: OneOffTable): string {
    return `{"table_name":${q(t.tableName)},"rows":${rowsJson(t.rows, row => rowToJsonText(t.rowType, row))}}`;
  }

  body(msg: ServerMessage): string {
    switch (msg.tag) {
      case 'InitialSubscription':
        return `{"database_update":${this.databaseUpdate(msg.databaseUpdate)},"request_id":${msg.requestId},"total_host_execution_duration":${durationJson(msg.totalHostExecutionDurationMicros)}}`;
      case 'TransactionUpdate': {
        const c = msg.reducerCall;
        const call = `{"reducer_name":${q(c.reducerName)},"reducer_id":${c.reducerId},"args":${q(this.reducerArgs(c))},"request_id":${c.requestId}}`;
        return (
          `{"status":${this.updateStatus(msg.status)},"timestamp":${timestampJson(msg.timestamp)},"caller_identity":${identityJson(msg.callerIdentity)},` +
          `"caller_connection_id":${connectionIdJson(msg.callerConnectionId)},"reducer_call":${call},"energy_quanta_used":{"quanta":${msg.energyQuantaUsed.toString()}},` +
          `"total_host_execution_duration":${durationJson(msg.totalHostExecutionDurationMicros)}}`
        );
      }
      case 'TransactionUpdateLight':
        return `{"request_id":${msg.requestId},"update":${this.databaseUpdate(msg.update)}}`;
      case 'IdentityToken':
        return `{"identity":${identityJson(msg.identity)},"token":${q(msg.token)},"connection_id":${connectionIdJson(msg.connectionId)}}`;
      case 'OneOffQueryResponse': {
        const error = msg.error === undefined ? '{"none":[]}' : `{"some":${q(msg.error)}}`;
        const tables = msg.tables.map(t => this.oneOffTable(t)).join(',');
        return `{"message_id":"${hex(msg.messageId)}","error":${error},"tables":[${tables}],"total_host_execution_duration":${durationJson(msg.totalHostExecutionDurationMicros)}}`;
      }
      case 'SubscribeApplied':
      case 'UnsubscribeApplied': {
        const rows = `{"table_id":${msg.rows.tableId},"table_name":${q(msg.rows.tableName)},"table_rows":${this.tableUpdate(msg.rows.tableRows)}}`;
        return `{"request_id":${msg.requestId},"total_host_execution_duration_micros":${msg.totalHostExecutionDurationMicros.toString()},"query_id":{"id":${msg.queryId}},"rows":${rows}}`;
      }
      case 'SubscriptionError':
        return (
          `{"total_host_execution_duration_micros":${msg.totalHostExecutionDurationMicros.toString()},"request_id":${optionU32Json(msg.requestId)},` +
          `"query_id":${optionU32Json(msg.queryId)},"table_id":${optionU32Json(msg.tableId)},"error":${q(msg.error)}}`
        );
      case 'SubscribeMultiApplied':
      case 'UnsubscribeMultiApplied':
        return `{"request_id":${msg.requestId},"total_host_execution_duration_micros":${msg.totalHostExecutionDurationMicros.toString()},"query_id":{"id":${msg.queryId}},"update":${this.databaseUpdate(msg.update)}}`;
      case 'ProcedureResult':
        return (
          `{"status":${this.procedureStatus(msg.status)},"timestamp":${timestampJson(msg.timestamp)},` +
          `"total_host_execution_duration":${durationJson(msg.totalHostExecutionDurationMicros)},"request_id":${msg.requestId}}`
        );
    }
  }
}

/** Encodes a server message as SATS-JSON text; `schema` renders rows and BSATN reducer arguments. */
export function encodeServerMessageJson(msg: ServerMessage, schema: ModuleSchema): string {
  return `{"${msg.tag}":${new ServerJsonEncoder(schema).body(msg)}}`;
}

// ---------------------------------------------------------------------------------------------
// Server messages: decoding (rows stay JSON texts)

const rowTexts = (v: unknown, path: string): string[] =>
  read.array(v, path, (x, p) => read.str(x, p));

function queryUpdateFromJson(v: unknown, path: string): JsonQueryUpdate {
  const f = read.fields(v, path, ['deletes', 'inserts']);
  return {
    deletes: rowTexts(f['deletes'], `${path}.deletes`),
    inserts: rowTexts(f['inserts'], `${path}.inserts`),
  };
}

function tableUpdateFromJson(v: unknown, path: string): TableUpdateOf<JsonQueryUpdate> {
  const f = read.fields(v, path, ['table_id', 'table_name', 'num_rows', 'updates']);
  return {
    tableId: read.u32(f['table_id'], `${path}.table_id`),
    tableName: read.str(f['table_name'], `${path}.table_name`),
    numRows: read.u64(f['num_rows'], `${path}.num_rows`),
    updates: read.array(f['updates'], `${path}.updates`, queryUpdateFromJson),
  };
}

function databaseUpdateFromJson(v: unknown, path: string): DatabaseUpdateOf<JsonQueryUpdate> {
  const f = read.fields(v, path, ['tables']);
  return { tables: read.array(f['tables'], `${path}.tables`, tableUpdateFromJson) };
}

function subscribeRowsFromJson(v: unknown, path: string): SubscribeRowsOf<JsonQueryUpdate> {
  const f = read.fields(v, path, ['table_id', 'table_name', 'table_rows']);
  return {
    tableId: read.u32(f['table_id'], `${path}.table_id`),
    tableName: read.str(f['table_name'], `${path}.table_name`),
    tableRows: tableUpdateFromJson(f['table_rows'], `${path}.table_rows`),
  };
}

function updateStatusFromJson(v: unknown, path: string): UpdateStatusOf<JsonQueryUpdate> {
  const [tag, payload] = read.variant(v, path, ['Committed', 'Failed', 'OutOfEnergy']);
  if (tag === 'Committed')
    return { tag, update: databaseUpdateFromJson(payload, `${path}.Committed`) };
  if (tag === 'Failed') return { tag, message: read.str(payload, `${path}.Failed`) };
  read.unit(payload, `${path}.OutOfEnergy`);
  return { tag };
}

function procedureStatusFromJson(v: unknown, path: string): ProcedureStatus {
  const [tag, payload] = read.variant(v, path, ['Returned', 'OutOfEnergy', 'InternalError']);
  if (tag === 'Returned')
    return { tag, value: { format: 'json', text: read.str(payload, `${path}.Returned`) } };
  if (tag === 'InternalError') return { tag, message: read.str(payload, `${path}.InternalError`) };
  read.unit(payload, `${path}.OutOfEnergy`);
  return { tag };
}

function oneOffTableFromJson(v: unknown, path: string): JsonOneOffTable {
  const f = read.fields(v, path, ['table_name', 'rows']);
  return {
    tableName: read.str(f['table_name'], `${path}.table_name`),
    rows: rowTexts(f['rows'], `${path}.rows`),
  };
}

/** Decodes a JSON server message; rows come back as their JSON texts. */
export function decodeServerMessageJson(text: string): JsonServerMessage {
  const [tag, body] = read.variant(
    parseJsonExact(text, 'server message'),
    'server message',
    SERVER_MESSAGE_TAGS,
  );
  switch (tag) {
    case 'InitialSubscription': {
      const f = read.fields(body, tag, [
        'database_update',
        'request_id',
        'total_host_execution_duration',
      ]);
      return {
        tag,
        databaseUpdate: databaseUpdateFromJson(f['database_update'], `${tag}.database_update`),
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        totalHostExecutionDurationMicros: read.timeDuration(
          f['total_host_execution_duration'],
          `${tag}.total_host_execution_duration`,
        ),
      };
    }
    case 'TransactionUpdate': {
      const f = read.fields(body, tag, [
        'status',
        'timestamp',
        'caller_identity',
        'caller_connection_id',
        'reducer_call',
        'energy_quanta_used',
        'total_host_execution_duration',
      ]);
      const c = read.fields(f['reducer_call'], `${tag}.reducer_call`, [
        'reducer_name',
        'reducer_id',
        'args',
        'request_id',
      ]);
      const energy = read.fields(f['energy_quanta_used'], `${tag}.energy_quanta_used`, ['quanta']);
      return {
        tag,
        status: updateStatusFromJson(f['status'], `${tag}.status`),
        timestamp: read.timestamp(f['timestamp'], `${tag}.timestamp`),
        callerIdentity: read.identity(f['caller_identity'], `${tag}.caller_identity`),
        callerConnectionId: read.connectionId(
          f['caller_connection_id'],
          `${tag}.caller_connection_id`,
        ),
        reducerCall: {
          reducerName: read.str(c['reducer_name'], `${tag}.reducer_call.reducer_name`),
          reducerId: read.u32(c['reducer_id'], `${tag}.reducer_call.reducer_id`),
          args: jsonArgs(c['args'], `${tag}.reducer_call.args`),
          requestId: read.u32(c['request_id'], `${tag}.reducer_call.request_id`),
        },
        energyQuantaUsed: read.u128(energy['quanta'], `${tag}.energy_quanta_used.quanta`),
        totalHostExecutionDurationMicros: read.timeDuration(
          f['total_host_execution_duration'],
          `${tag}.total_host_execution_duration`,
        ),
      };
    }
    case 'TransactionUpdateLight': {
      const f = read.fields(body, tag, ['request_id', 'update']);
      return {
        tag,
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        update: databaseUpdateFromJson(f['update'], `${tag}.update`),
      };
    }
    case 'IdentityToken': {
      const f = read.fields(body, tag, ['identity', 'token', 'connection_id']);
      return {
        tag,
        identity: read.identity(f['identity'], `${tag}.identity`),
        token: read.str(f['token'], `${tag}.token`),
        connectionId: read.connectionId(f['connection_id'], `${tag}.connection_id`),
      };
    }
    case 'OneOffQueryResponse': {
      const f = read.fields(body, tag, [
        'message_id',
        'error',
        'tables',
        'total_host_execution_duration',
      ]);
      return {
        tag,
        messageId: read.hexBytes(f['message_id'], `${tag}.message_id`),
        error: read.option(f['error'], `${tag}.error`, read.str),
        tables: read.array(f['tables'], `${tag}.tables`, oneOffTableFromJson),
        totalHostExecutionDurationMicros: read.timeDuration(
          f['total_host_execution_duration'],
          `${tag}.total_host_execution_duration`,
        ),
      };
    }
    case 'SubscribeApplied':
    case 'UnsubscribeApplied': {
      const f = read.fields(body, tag, [
        'request_id',
        'total_host_execution_duration_micros',
        'query_id',
        'rows',
      ]);
      return {
        tag,
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        totalHostExecutionDurationMicros: read.u64(
          f['total_host_execution_duration_micros'],
          `${tag}.total_host_execution_duration_micros`,
        ),
        queryId: read.queryId(f['query_id'], `${tag}.query_id`),
        rows: subscribeRowsFromJson(f['rows'], `${tag}.rows`),
      };
    }
    case 'SubscriptionError': {
      const f = read.fields(body, tag, [
        'total_host_execution_duration_micros',
        'request_id',
        'query_id',
        'table_id',
        'error',
      ]);
      return {
        tag,
        totalHostExecutionDurationMicros: read.u64(
          f['total_host_execution_duration_micros'],
          `${tag}.total_host_execution_duration_micros`,
        ),
        requestId: read.option(f['request_id'], `${tag}.request_id`, read.u32),
        queryId: read.option(f['query_id'], `${tag}.query_id`, read.u32),
        tableId: read.option(f['table_id'], `${tag}.table_id`, read.u32),
        error: read.str(f['error'], `${tag}.error`),
      };
    }
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied': {
      const f = read.fields(body, tag, [
        'request_id',
        'total_host_execution_duration_micros',
        'query_id',
        'update',
      ]);
      return {
        tag,
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        totalHostExecutionDurationMicros: read.u64(
          f['total_host_execution_duration_micros'],
          `${tag}.total_host_execution_duration_micros`,
        ),
        queryId: read.queryId(f['query_id'], `${tag}.query_id`),
        update: databaseUpdateFromJson(f['update'], `${tag}.update`),
      };
    }
    case 'ProcedureResult': {
      const f = read.fields(body, tag, [
        'status',
        'timestamp',
        'total_host_execution_duration',
        'request_id',
      ]);
      return {
        tag,
        status: procedureStatusFromJson(f['status'], `${tag}.status`),
        timestamp: read.timestamp(f['timestamp'], `${tag}.timestamp`),
        totalHostExecutionDurationMicros: read.timeDuration(
          f['total_host_execution_duration'],
          `${tag}.total_host_execution_duration`,
        ),
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
      };
    }
  }
}
