/**
 * @module
 * Decoding server messages of the text v1 protocol (`v1.json.spacetimedb`), for clients and
 * tests. Rows stay the JSON texts they arrive as (`JsonServerMessage`): without the module
 * schema there is no row type to read them into. u64/u128 values are read exactly (the parser
 * keeps big integers as `bigint`); products must have exactly their fields; every failure is
 * `PROTOCOL_DECODE` naming the field's path.
 */
import { jsonArgs } from './ws-json-client.js';
import { parseJsonExact } from './ws-json-parse.js';
import * as read from './ws-json-read.js';
import {
  SERVER_MESSAGE_TAGS,
  type DatabaseUpdateOf,
  type JsonOneOffTable,
  type JsonQueryUpdate,
  type JsonServerMessage,
  type ProcedureStatus,
  type SubscribeRowsOf,
  type TableUpdateOf,
  type UpdateStatusOf,
} from './ws-messages.js';

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

type Msg<T extends JsonServerMessage['tag']> = Extract<JsonServerMessage, { tag: T }>;

const duration = (f: read.JsonObject, tag: string): bigint =>
  read.timeDuration(f['total_host_execution_duration'], `${tag}.total_host_execution_duration`);
const durationMicros = (f: read.JsonObject, tag: string): bigint =>
  read.u64(
    f['total_host_execution_duration_micros'],
    `${tag}.total_host_execution_duration_micros`,
  );

function initialSubscription(body: unknown): Msg<'InitialSubscription'> {
  const tag = 'InitialSubscription';
  const f = read.fields(body, tag, [
    'database_update',
    'request_id',
    'total_host_execution_duration',
  ]);
  return {
    tag,
    databaseUpdate: databaseUpdateFromJson(f['database_update'], `${tag}.database_update`),
    requestId: read.u32(f['request_id'], `${tag}.request_id`),
    totalHostExecutionDurationMicros: duration(f, tag),
  };
}

function transactionUpdate(body: unknown): Msg<'TransactionUpdate'> {
  const tag = 'TransactionUpdate';
  const f = read.fields(body, tag, [
    'status',
    'timestamp',
    'caller_identity',
    'caller_connection_id',
    'reducer_call',
    'energy_quanta_used',
    'total_host_execution_duration',
  ]);
  const call = `${tag}.reducer_call`;
  const c = read.fields(f['reducer_call'], call, [
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
    callerConnectionId: read.connectionId(f['caller_connection_id'], `${tag}.caller_connection_id`),
    reducerCall: {
      reducerName: read.str(c['reducer_name'], `${call}.reducer_name`),
      reducerId: read.u32(c['reducer_id'], `${call}.reducer_id`),
      args: jsonArgs(c['args'], `${call}.args`),
      requestId: read.u32(c['request_id'], `${call}.request_id`),
    },
    energyQuantaUsed: read.u128(energy['quanta'], `${tag}.energy_quanta_used.quanta`),
    totalHostExecutionDurationMicros: duration(f, tag),
  };
}

function oneOffQueryResponse(body: unknown): Msg<'OneOffQueryResponse'> {
  const tag = 'OneOffQueryResponse';
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
    totalHostExecutionDurationMicros: duration(f, tag),
  };
}

function subscriptionError(body: unknown): Msg<'SubscriptionError'> {
  const tag = 'SubscriptionError';
  const f = read.fields(body, tag, [
    'total_host_execution_duration_micros',
    'request_id',
    'query_id',
    'table_id',
    'error',
  ]);
  return {
    tag,
    totalHostExecutionDurationMicros: durationMicros(f, tag),
    requestId: read.option(f['request_id'], `${tag}.request_id`, read.u32),
    queryId: read.option(f['query_id'], `${tag}.query_id`, read.u32),
    tableId: read.option(f['table_id'], `${tag}.table_id`, read.u32),
    error: read.str(f['error'], `${tag}.error`),
  };
}

/** The fields every `*Applied` message starts with, and the one holding its rows. */
function applied(body: unknown, tag: string, rowsField: 'rows' | 'update') {
  const f = read.fields(body, tag, [
    'request_id',
    'total_host_execution_duration_micros',
    'query_id',
    rowsField,
  ]);
  return {
    requestId: read.u32(f['request_id'], `${tag}.request_id`),
    totalHostExecutionDurationMicros: durationMicros(f, tag),
    queryId: read.queryId(f['query_id'], `${tag}.query_id`),
    rows: f[rowsField],
  };
}

function procedureResult(body: unknown): Msg<'ProcedureResult'> {
  const tag = 'ProcedureResult';
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
    totalHostExecutionDurationMicros: duration(f, tag),
    requestId: read.u32(f['request_id'], `${tag}.request_id`),
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
    case 'InitialSubscription':
      return initialSubscription(body);
    case 'TransactionUpdate':
      return transactionUpdate(body);
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
    case 'OneOffQueryResponse':
      return oneOffQueryResponse(body);
    case 'SubscribeApplied':
    case 'UnsubscribeApplied': {
      const { rows, ...head } = applied(body, tag, 'rows');
      return { tag, ...head, rows: subscribeRowsFromJson(rows, `${tag}.rows`) };
    }
    case 'SubscriptionError':
      return subscriptionError(body);
    case 'SubscribeMultiApplied':
    case 'UnsubscribeMultiApplied': {
      const { rows, ...head } = applied(body, tag, 'update');
      return { tag, ...head, update: databaseUpdateFromJson(rows, `${tag}.update`) };
    }
    case 'ProcedureResult':
      return procedureResult(body);
  }
}
