/**
 * @module
 * The entry points: compile SQL text against a schema (parse → bind → plan), run it against a
 * database (SELECT on a read snapshot, DML as one transaction per statement through the same
 * commit path as reducers), and render results as the `/sql` route's JSON.
 */
import { productTypeToJson, valueToJson, WasmbaseError } from '../protocol/index.js';
import type { Identity, ModuleSchema, ProductType } from '../protocol/index.js';
import type { DatabaseHandle } from '../host/index.js';
import { bindStatement, type BindOptions } from './sql-binder.js';
import { executeDml, executeSelect, NO_STATS, type SqlStatementResult } from './sql-execute.js';
import { parseSql } from './sql-parser.js';
import { explainPlan, type StatementPlan } from './sql-plan.js';
import { planStatement } from './sql-planner.js';

/** Who runs the SQL. Owners see private tables and may run INSERT, UPDATE and DELETE. */
export interface SqlCaller {
  readonly identity: Identity;
  readonly isOwner: boolean;
}

export interface RunSqlOptions {
  /** Most rows one statement may return (`config.sqlRowLimit`). */
  readonly rowLimit: number;
}

/** The label DML transactions carry (subscribers see it as the reducer name). */
export const SQL_TX_LABEL = '__sql__';

const EMPTY_SCHEMA: ProductType = Object.freeze({ elements: Object.freeze([]) });

/**
 * Parses, binds and plans every `;`-separated statement of `sqlText`. Throws the first error
 * (SQL_SYNTAX, SQL_UNKNOWN_NAME, SQL_TYPE_MISMATCH, SQL_UNSUPPORTED) with its position.
 */
export function compileSql(
  schema: ModuleSchema,
  sqlText: string,
  options: BindOptions,
): StatementPlan[] {
  return parseSql(sqlText).map(s => planStatement(bindStatement(s, schema, options)));
}

/** The chosen plans of every statement, as text (an EXPLAIN, for debugging and tests). */
export function explainSql(
  schema: ModuleSchema,
  sqlText: string,
  options: BindOptions = { isOwner: true },
): string {
  return compileSql(schema, sqlText, options).map(explainPlan).join('\n\n');
}

function micros(start: number): number {
  return Math.max(0, Math.round((performance.now() - start) * 1000));
}

/**
 * Runs SQL for the `/sql` route. Every statement is compiled before any runs, so a mistake in
 * the last statement runs none. SELECTs read one snapshot each; each INSERT/UPDATE/DELETE is its
 * own transaction through `handle.transact` (serial with reducers, durable before this
 * resolves, seen by subscribers). Only the owner may run DML (PERMISSION_DENIED otherwise).
 */
export async function runSql(
  handle: DatabaseHandle,
  sqlText: string,
  caller: SqlCaller,
  options: RunSqlOptions,
): Promise<SqlStatementResult[]> {
  const statements = parseSql(sqlText);
  const dml = statements.find(s => s.kind !== 'Select');
  if (dml !== undefined && !caller.isOwner) {
    throw new WasmbaseError(
      'PERMISSION_DENIED',
      `only the owner of the database may run ${dml.kind.toUpperCase()} (at ${dml.pos.line}:${dml.pos.column})`,
      { line: dml.pos.line, column: dml.pos.column },
    );
  }
  const plans = statements.map(s =>
    planStatement(bindStatement(s, handle.schema, { isOwner: caller.isOwner })),
  );
  const results: SqlStatementResult[] = [];
  for (const plan of plans) {
    const start = performance.now();
    if (plan.kind === 'SelectPlan') {
      const rows = handle.read(tx => executeSelect(plan, tx, options));
      results.push({
        schema: plan.statement.schema,
        rows,
        totalDurationMicros: micros(start),
        stats: NO_STATS,
      });
    } else {
      const { result } = await handle.transact(SQL_TX_LABEL, caller.identity, tx =>
        executeDml(plan, tx),
      );
      results.push({
        schema: EMPTY_SCHEMA,
        rows: [],
        totalDurationMicros: micros(start),
        stats: result,
      });
    }
  }
  return results;
}

/**
 * The JSON body of the `/sql` route: one object per statement, `{schema, rows,
 * total_duration_micros, stats}`, with the schema as a SATS-JSON ProductType and each row as an
 * array of SATS-JSON values.
 */
export function sqlResultsToJson(results: readonly SqlStatementResult[]): unknown[] {
  return results.map(r => {
    const rowType = { tag: 'Product', elements: r.schema.elements } as const;
    return {
      schema: productTypeToJson(r.schema),
      rows: r.rows.map(row => valueToJson(rowType, row)),
      total_duration_micros: r.totalDurationMicros,
      stats: {
        rows_inserted: r.stats.rowsInserted,
        rows_deleted: r.stats.rowsDeleted,
        rows_updated: r.stats.rowsUpdated,
      },
    };
  });
}
