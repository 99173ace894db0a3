/**
 * @module
 * Encoding server messages of the text v1 protocol (`v1.json.spacetimedb`) as SpacetimeDB's
 * SATS-JSON: `{"<Variant>": {<snake_case fields>}}`, an Option as `{"some": v}` /
 * `{"none": []}`, a unit variant as `[]`, Identity as `{"__identity__": "0x…"}`, ConnectionId as
 * `{"__connection_id__": <u128>}`, Timestamp / TimeDuration as one-field objects of
 * microseconds. Each row is the JSON text of the row (`ws-json-value.ts`) inside a string, and
 * reducer arguments are a JSON text inside a string. There is no compression in text frames.
 *
 * The text is built directly, field by field (`obj`), so u64/u128 stay exact bare numbers.
 * Rendering rows and BSATN reducer arguments needs the module schema (table id → row type,
 * reducer id → parameters). Each `QueryUpdate`'s text is memoised on it (`jsonMemo`), so an
 * update shared by many JSON clients is rendered once.
 */
import { WasmbaseError } from '../error.js';
import { bytesToHex } from '../hex-utf8.js';
import type { ConnectionId, Identity } from '../identity.js';
import type { ModuleSchema } from '../module-schema.js';
import { argsToJsonText, rowToJsonText } from './ws-json-value.js';
import type {
  DatabaseUpdate,
  OneOffTable,
  ProcedureStatus,
  QueryUpdate,
  ReducerCallInfo,
  ServerMessage,
  TableUpdate,
  UpdateStatus,
} from './ws-messages.js';

const q = JSON.stringify;

/** `{"a":1,"b":2}` from field names and their already rendered JSON values, in order. */
function obj(fields: Readonly<Record<string, string>>): string {
  let s = '{';
  for (const key in fields) s += (s.length === 1 ? '' : ',') + `"${key}":${fields[key]!}`;
  return s + '}';
}

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

type Msg<T extends ServerMessage['tag']> = Extract<ServerMessage, { tag: T }>;

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
    const text = obj({
      deletes: rowsJson(update.deletes, render),
      inserts: rowsJson(update.inserts, render),
    });
    update.jsonMemo = text;
    return text;
  }

  tableUpdate(t: TableUpdate): string {
    const updates = t.updates.map(u => this.queryUpdate(u, t.tableId, t.tableName)).join(',');
    return obj({
      table_id: String(t.tableId),
      table_name: q(t.tableName),
      num_rows: t.numRows.toString(),
      updates: `[${updates}]`,
    });
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
        `JSON encoding: no reducer "${call.reducerName}" (id ${call.reducerId}) in the schema`,
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
    const rows = rowsJson(t.rows, row => rowToJsonText(t.rowType, row));
    return obj({ table_name: q(t.tableName), rows });
  }

  transactionUpdate(msg: Msg<'TransactionUpdate'>): string {
    const c = msg.reducerCall;
    return obj({
      status: this.updateStatus(msg.status),
      timestamp: timestampJson(msg.timestamp),
      caller_identity: identityJson(msg.callerIdentity),
      caller_connection_id: connectionIdJson(msg.callerConnectionId),
      reducer_call: obj({
        reducer_name: q(c.reducerName),
        reducer_id: String(c.reducerId),
        args: q(this.reducerArgs(c)),
        request_id: String(c.requestId),
      }),
      energy_quanta_used: `{"quanta":${msg.energyQuantaUsed.toString()}}`,
      total_host_execution_duration: durationJson(msg.totalHostExecutionDurationMicros),
    });
  }

  oneOffQueryResponse(msg: Msg<'OneOffQueryResponse'>): string {
    return obj({
      message_id: `"${bytesToHex(msg.messageId)}"`,
      error: msg.error === undefined ? '{"none":[]}' : `{"some":${q(msg.error)}}`,
      tables: `[${msg.tables.map(t => this.oneOffTable(t)).join(',')}]`,
      total_host_execution_duration: durationJson(msg.totalHostExecutionDurationMicros),
    });
  }

  body(msg: ServerMessage): string {
    switch (msg.tag) {
      case 'InitialSubscription':
        return obj({
          database_update: this.databaseUpdate(msg.databaseUpdate),
          request_id: String(msg.requestId),
          total_host_execution_duration: durationJson(msg.totalHostExecutionDurationMicros),
        });
      case 'TransactionUpdate':
        return this.transactionUpdate(msg);
      case 'TransactionUpdateLight':
        return obj({ request_id: String(msg.requestId), update: this.databaseUpdate(msg.update) });
      case 'IdentityToken':
        return obj({
          identity: identityJson(msg.identity),
          token: q(msg.token),
          connection_id: connectionIdJson(msg.connectionId),
        });
      case 'OneOffQueryResponse':
        return this.oneOffQueryResponse(msg);
      case 'SubscribeApplied':
      case 'UnsubscribeApplied':
        return this.applied(msg, {
          rows: obj({
            table_id: String(msg.rows.tableId),
            table_name: q(msg.rows.tableName),
            table_rows: this.tableUpdate(msg.rows.tableRows),
          }),
        });
      case 'SubscriptionError':
        return obj({
          total_host_execution_duration_micros: msg.totalHostExecutionDurationMicros.toString(),
          request_id: optionU32Json(msg.requestId),
          query_id: optionU32Json(msg.queryId),
          table_id: optionU32Json(msg.tableId),
          error: q(msg.error),
        });
      case 'SubscribeMultiApplied':
      case 'UnsubscribeMultiApplied':
        return this.applied(msg, { update: this.databaseUpdate(msg.update) });
      case 'ProcedureResult':
        return obj({
          status: this.procedureStatus(msg.status),
          timestamp: timestampJson(msg.timestamp),
          total_host_execution_duration: durationJson(msg.totalHostExecutionDurationMicros),
          request_id: String(msg.requestId),
        });
    }
  }

  /** The four `*Applied` messages: request id, duration, query id, then their rows. */
  applied(
    msg: { requestId: number; totalHostExecutionDurationMicros: bigint; queryId: number },
    rows: Readonly<Record<string, string>>,
  ): string {
    return obj({
      request_id: String(msg.requestId),
      total_host_execution_duration_micros: msg.totalHostExecutionDurationMicros.toString(),
      query_id: `{"id":${msg.queryId}}`,
      ...rows,
    });
  }
}

/** Encodes a server message as SATS-JSON; `schema` renders rows and BSATN reducer arguments. */
export function encodeServerMessageJson(msg: ServerMessage, schema: ModuleSchema): string {
  return `{"${msg.tag}":${new ServerJsonEncoder(schema).body(msg)}}`;
}
