/**
 * @module
 * SQL as a service: the `/sql` route's statements and the WebSocket's one-off queries, with the
 * rules that belong to the database rather than to SQL itself. Every statement is compiled
 * before any runs, so a mistake in the last statement runs none. SELECTs read one snapshot
 * each; each INSERT/UPDATE/DELETE is its own transaction through `handle.transact` (serial with
 * reducers, durable before this resolves, seen by subscribers). Only the owner may run DML.
 */
import type { DatabaseHandle } from '../host/index.js';
import {
  encodeToBytes,
  WasmbaseError,
  type Identity,
  type ProductType,
} from '../protocol/index.js';
import {
  bindStatement,
  compileSql,
  executeDml,
  executeSelect,
  NO_STATS,
  parseSql,
  planStatement,
  SQL_TX_LABEL,
  type SqlStatementResult,
} from '../sql/index.js';

/** Who runs the SQL. Owners see private tables and may run INSERT, UPDATE and DELETE. */
export interface SqlCaller {
  readonly identity: Identity;
  readonly isOwner: boolean;
}

export interface RunSqlOptions {
  /** Most rows one statement may return (`--sql-row-limit`). */
  readonly rowLimit: number;
}

/** The rows of one table a one-off query returned, as BSATN of `rowType`. */
export interface QueryTable {
  readonly tableName: string;
  readonly rowType: ProductType;
  readonly rows: readonly Uint8Array[];
}

const EMPTY_SCHEMA: ProductType = Object.freeze({ elements: Object.freeze([]) });

function micros(start: number): number {
  return Math.max(0, Math.round((performance.now() - start) * 1000));
}

/** Runs `sqlText` for the `/sql` route (see the module comment). */
export async function runSql(
  handle: DatabaseHandle,
  sqlText: string,
  caller: SqlCaller,
  options: RunSqlOptions,
): Promise<SqlStatementResult[]> {
  const statements = parseSql(sqlText);
  const dml = statements.find(s => s.kind !== 'Select');
  if (dml !== undefined && !caller.isOwner) {
    const { line, column } = dml.pos;
    throw new WasmbaseError(
      'PERMISSION_DENIED',
      `only the owner of the database may run ${dml.kind.toUpperCase()} (at ${line}:${column})`,
      { line, column },
    );
  }
  const bind = { isOwner: caller.isOwner };
  const plans = statements.map(s => planStatement(bindStatement(s, handle.schema, bind)));
  const results: SqlStatementResult[] = [];
  for (const plan of plans) {
    const start = performance.now();
    if (plan.kind === 'SelectPlan') {
      const rows = handle.read(tx => executeSelect(plan, tx, options));
      const schema = plan.statement.schema;
      results.push({ schema, rows, totalDurationMicros: micros(start), stats: NO_STATS });
    } else {
      const run = (tx: Parameters<Parameters<DatabaseHandle['transact']>[2]>[0]) =>
        executeDml(plan, tx);
      const { result } = await handle.transact(SQL_TX_LABEL, caller.identity, run);
      const totalDurationMicros = micros(start);
      results.push({ schema: EMPTY_SCHEMA, rows: [], totalDurationMicros, stats: result });
    }
  }
  return results;
}

/** A one-off query: SELECTs only, each table's rows as BSATN, read on a snapshot each. */
export function oneOffQuery(
  handle: DatabaseHandle,
  sqlText: string,
  isOwner: boolean,
  options: RunSqlOptions,
): QueryTable[] {
  return compileSql(handle.schema, sqlText, { isOwner }).map(plan => {
    if (plan.kind !== 'SelectPlan') {
      throw new WasmbaseError(
        'SQL_UNSUPPORTED',
        'a one-off query over the WebSocket may only SELECT; ' +
          'use POST /v1/database/:name/sql for INSERT, UPDATE and DELETE',
      );
    }
    const rowType = plan.statement.schema;
    const type = { tag: 'Product', elements: rowType.elements } as const;
    const values = handle.read(tx => executeSelect(plan, tx, options));
    const tableName = plan.statement.sources[0]!.table.name;
    return { tableName, rowType, rows: values.map(v => encodeToBytes(type, v)) };
  });
}
