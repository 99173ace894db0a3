/**
 * @module
 * Shaping v1 server messages from protocol-free results: a client's share of a transaction's
 * deltas becomes a `DatabaseUpdate` (one `TableUpdate` per table, one `QueryUpdate` per
 * subscribed query, deletes first), subscription rows become inserts or deletes. Each
 * `ClientDelta` becomes one `QueryUpdate` object, shared by every message that carries it, so
 * its row lists are encoded once per format.
 *
 * Table ids on the wire are not the schema's: public tables are numbered 0, 1, … first and
 * private ones after them, so a client that sees only public tables sees ids without gaps and
 * cannot tell whether private tables exist. The numbering is fixed per published module.
 */
import type { ClientDelta, QueryRows } from '../../api/index.js';
import type { ExecutedCall } from '../../host/index.js';
import {
  ConnectionId,
  type DatabaseUpdate,
  type ModuleSchema,
  type QueryUpdate,
  type ServerMessage,
  type TableUpdate,
  type WsArgs,
} from '../../protocol/index.js';

export type V1Format = 'bsatn' | 'json';

const queryUpdates = new WeakMap<ClientDelta, QueryUpdate>();
const wireIds = new WeakMap<ModuleSchema, readonly number[]>();

/** The wire id of each table of `schema`, by schema table id. */
function wireTableIds(schema: ModuleSchema): readonly number[] {
  let ids = wireIds.get(schema);
  if (ids === undefined) {
    const order = [
      ...schema.tables.filter(t => t.isPublic),
      ...schema.tables.filter(t => !t.isPublic),
    ];
    const byId: number[] = [];
    order.forEach((t, wire) => (byId[t.id] = wire));
    wireIds.set(schema, (ids = byId));
  }
  return ids;
}

function queryUpdateOf(delta: ClientDelta): QueryUpdate {
  let update = queryUpdates.get(delta);
  if (update === undefined) {
    update = { deletes: delta.deletes, inserts: delta.inserts };
    queryUpdates.set(delta, update);
  }
  return update;
}

/** Groups query updates by table, in first-seen order. */
function byTable(
  schema: ModuleSchema,
  parts: readonly { tableId: number; tableName: string; update: QueryUpdate }[],
): DatabaseUpdate {
  const tables = new Map<number, { tableName: string; updates: QueryUpdate[] }>();
  for (const p of parts) {
    const table = tables.get(p.tableId);
    if (table === undefined) tables.set(p.tableId, { tableName: p.tableName, updates: [p.update] });
    else table.updates.push(p.update);
  }
  const wire = wireTableIds(schema);
  const out: TableUpdate[] = [];
  for (const [id, { tableName, updates }] of tables) {
    let n = 0;
    for (const u of updates) n += u.inserts.length + u.deletes.length;
    out.push({ tableId: wire[id] ?? id, tableName, numRows: BigInt(n), updates });
  }
  return { tables: out };
}

/** A transaction's deltas for one client. */
export function deltaUpdate(schema: ModuleSchema, updates: readonly ClientDelta[]): DatabaseUpdate {
  return byTable(
    schema,
    updates.map(d => ({ ...d, update: queryUpdateOf(d) })),
  );
}

/** Subscription rows as inserts (subscribe) or deletes (unsubscribe). */
export function rowsUpdate(
  schema: ModuleSchema,
  rows: readonly QueryRows[],
  as: 'inserts' | 'deletes',
): DatabaseUpdate {
  return byTable(
    schema,
    rows.map(({ query, rows: list }) => ({
      tableId: query.tableId,
      tableName: query.tableName,
      update: as === 'inserts' ? { deletes: [], inserts: list } : { deletes: list, inserts: [] },
    })),
  );
}

/** One query's rows as the `SubscribeRows` of `SubscribeApplied`/`UnsubscribeApplied`. */
export function singleRows(schema: ModuleSchema, rows: QueryRows, as: 'inserts' | 'deletes') {
  const table = rowsUpdate(schema, [rows], as).tables[0] ?? {
    tableId: wireTableIds(schema)[rows.query.tableId] ?? rows.query.tableId,
    tableName: rows.query.tableName,
    numRows: 0n,
    updates: [],
  };
  return { tableId: table.tableId, tableName: table.tableName, tableRows: table };
}

/**
 * Reducer arguments for a message: the BSATN bytes (the JSON encoder renders them through the
 * reducer's parameter types); a JSON client gets `[]` for transactions that are not reducer
 * calls (SQL DML), which have no parameter types.
 */
export function argsFor(
  args: Uint8Array,
  format: V1Format,
  schema: ModuleSchema,
  reducer: string,
): WsArgs {
  if (format === 'json' && schema.reducerByName(reducer) === undefined) {
    return { format: 'json', text: '[]' };
  }
  return { format: 'bsatn', bytes: args };
}

/** The full `TransactionUpdate` of a call, committed (`update`) or failed (`error`). */
export function transactionUpdate(
  call: ExecutedCall,
  outcome: { update: DatabaseUpdate } | { error: string },
  info: { args: WsArgs; requestId: number; durationMicros: number; reducerId: number },
): ServerMessage {
  const status =
    'update' in outcome
      ? ({ tag: 'Committed', update: outcome.update } as const)
      : ({ tag: 'Failed', message: outcome.error } as const);
  return {
    tag: 'TransactionUpdate',
    status,
    timestamp: call.timestamp,
    callerIdentity: call.sender,
    callerConnectionId: call.connectionId ?? ConnectionId.ZERO,
    reducerCall: {
      reducerName: call.reducer,
      reducerId: Math.max(0, info.reducerId),
      args: info.args,
      requestId: info.requestId,
    },
    energyQuantaUsed: 0n,
    totalHostExecutionDurationMicros: BigInt(info.durationMicros),
  };
}
