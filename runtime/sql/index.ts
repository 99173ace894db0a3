/**
 * @module
 * wasmbase's SQL: lexer, parser, binder, planner and executor. The HTTP `/sql` route calls
 * `runSql` and renders with `sqlResultsToJson`; subscriptions reuse the parser, binder,
 * planner and the tuple pipeline (`compileSql`, `planSelect`, `planTuples`).
 */
export { parseSql, MAX_SQL_DEPTH, MAX_SQL_CHARS, MAX_SQL_TERMS } from './sql-parser.js';
export { tokenize, KEYWORDS } from './sql-lexer.js';
export type { Token, TokenKind, Position } from './sql-lexer.js';
export type * from './sql-ast.js';
export type * from './sql-bound.js';
export { bindStatement } from './sql-binder.js';
export type { BindOptions } from './sql-binder.js';
export { planStatement, planSelect, planAccess, conjunctsOf } from './sql-planner.js';
export { explainPlan, exprText } from './sql-plan.js';
export type {
  AccessPath,
  IndexAccess,
  JoinStep,
  RangeBound,
  SelectPlan,
  DmlPlan,
  StatementPlan,
  UnionBranch,
} from './sql-plan.js';
export { executeSelect, executeDml, planTuples, selectRows, NO_STATS } from './sql-execute.js';
export type { SqlStatementResult, SqlStats, ExecuteOptions } from './sql-execute.js';
export { readAccess, iterateAccess } from './sql-access.js';
export type { AccessOptions } from './sql-access.js';
export { compilePredicate, filterOf } from './sql-predicate.js';
export type { Tuple, Predicate } from './sql-predicate.js';
export { TopK, sortKeeping } from './sql-top-k.js';
export { literalToValue, compareValues, compareStrings } from './sql-values.js';
export { compileSql, explainSql, SQL_TX_LABEL } from './sql-compile.js';
