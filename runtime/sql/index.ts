/**
 * @module
 * The SQL front end: lexer and parser of wasmbase's SQL dialect, shared by ad-hoc queries and
 * (later) subscriptions. The binder, planner and executor are not built yet.
 */
export { parseSql, MAX_SQL_DEPTH, MAX_SQL_CHARS } from './sql-parser.js';
export { tokenize, KEYWORDS } from './sql-lexer.js';
export type { Token, TokenKind, Position } from './sql-lexer.js';
export type * from './sql-ast.js';
