/**
 * @module
 * Compiling SQL text against a schema: parse → bind → plan, for every `;`-separated statement.
 * Running the plans against a database is the service layer's (`runtime/api`), which owns the
 * transaction rules; this folder stays pure.
 */
import type { ModuleSchema } from '../protocol/index.js';
import { bindStatement, type BindOptions } from './sql-binder.js';
import { explainPlan, type StatementPlan } from './sql-plan.js';
import { parseSql } from './sql-parser.js';
import { planStatement } from './sql-planner.js';

/** The label DML transactions carry (subscribers see it as the reducer name). */
export const SQL_TX_LABEL = '__sql__';

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
