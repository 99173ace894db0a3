/**
 * @module
 * SQL as a service: the `/sql` route's statements and the WebSocket's one-off queries, with the
 * rules that belong to the database rather than to SQL itself. Every statement is compiled
 * before any runs, so a mistake in the last statement runs none. A request of SELECTs only
 * reads one snapshot per statement. A request with any INSERT/UPDATE/DELETE runs all of its
 * statements as ONE transaction through `handle.transact` (serial with reducers, durable before
 * this resolves, seen by subscribers as one batch): if any statement fails, none takes effect.
 * Only the owner may run DML.
 */
import type { DatabaseHandle } from '../host/index.js';
import type { BatchTx } from '../store/index.js';
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
  if (dml === undefined) {
    return plans.map(plan => runStatement(plan, handle.read.bind(handle), options));
  }
  const all = (tx: BatchTx) => plans.map((_plan, i) => runInTransaction(plans, i, tx, options));
  return (await handle.transact(SQL_TX_LABEL, caller.identity, all)).result;
}

type Plan = ReturnType<typeof planStatement>;

/** One statement of an all-SELECT request, on its own snapshot. */
function runStatement(
  plan: Plan,
  read: DatabaseHandle['read'],
  options: RunSqlOptions,
): SqlStatementResult {
  const start = performance.now();
  if (plan.kind !== 'SelectPlan') throw new WasmbaseError('INTERNAL', 'DML outside a transaction');
  const rows = read(tx => executeSelect(plan, tx, options));
  return {
    schema: plan.statement.schema,
    rows,
    totalDurationMicros: micros(start),
    stats: NO_STATS,
  };
}

/**
 * Statement `i` of a request with DML, inside the request's one transaction (SELECTs see the
 * earlier statements' writes). A failure names the statement and says nothing was committed.
 */
function runInTransaction(
  plans: readonly Plan[],
  i: number,
  tx: BatchTx,
  options: RunSqlOptions,
): SqlStatementResult {
  const plan = plans[i]!;
  const start = performance.now();
  try {
    if (plan.kind === 'SelectPlan') {
      const rows = executeSelect(plan, tx, options);
      const schema = plan.statement.schema;
      return { schema, rows, totalDurationMicros: micros(start), stats: NO_STATS };
    }
    const stats = executeDml(plan, tx);
    return { schema: EMPTY_SCHEMA, rows: [], totalDurationMicros: micros(start), stats };
  } catch (err) {
    if (!(err instanceof WasmbaseError) || plans.length === 1) throw err;
    const why =
      `statement ${i + 1} of ${plans.length} failed, so the request's transaction was ` +
      `rolled back and none of its statements took effect: ${err.message}`;
    throw new WasmbaseError(err.code, why, { ...err.details, statement: i + 1 }, { cause: err });
  }
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
