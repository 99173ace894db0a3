/**
 * @module
 * Bound statements: the syntax tree with every name resolved against the schema (tables,
 * columns and their types) and every literal converted to the type of the column it meets.
 * The planner and the executor work on these; the subscription engine can too.
 */
import type { AlgebraicType, AlgebraicValue, ProductType, TableSchema } from '../protocol/index.js';
import type { CompareOp } from './sql-ast.js';
import type { Position } from './sql-lexer.js';

/** One table of a query (FROM or a JOIN), with the name it is known by. */
export interface BoundSource {
  /** Position in the query's source list (FROM = 0, then joins in order). */
  readonly index: number;
  readonly alias: string;
  readonly table: TableSchema;
  /** The table's row type as an algebraic type (for decoding). */
  readonly rowType: AlgebraicType;
}

/** A column of one source. */
export interface BoundColumn {
  readonly kind: 'Column';
  readonly source: number;
  readonly column: number;
  readonly type: AlgebraicType;
  /** `alias.column`, for plans and messages. */
  readonly label: string;
}

/** A constant, already of the type it is compared with. */
export interface BoundConst {
  readonly kind: 'Const';
  readonly value: AlgebraicValue;
  readonly type: AlgebraicType;
  /** The literal as written, for plans. */
  readonly text: string;
}

export type BoundOperand = BoundColumn | BoundConst;

/**
 * A predicate, evaluated with SQL's three-valued logic: comparing with a NULL (an empty
 * Option) is unknown, and WHERE/ON keep a row only when the predicate is true.
 */
export type BoundExpr =
  | {
      readonly kind: 'Compare';
      readonly op: CompareOp;
      readonly left: BoundOperand;
      readonly right: BoundOperand;
      /** The type both sides are compared as (Option payloads are unwrapped). */
      readonly type: AlgebraicType;
    }
  | { readonly kind: 'And' | 'Or'; readonly terms: readonly BoundExpr[] }
  | { readonly kind: 'Not'; readonly expr: BoundExpr }
  | { readonly kind: 'IsNull'; readonly column: BoundColumn; readonly negated: boolean }
  | { readonly kind: 'BoolColumn'; readonly column: BoundColumn }
  | { readonly kind: 'Truth'; readonly value: boolean | null };

export interface BoundOrder {
  readonly column: BoundColumn;
  readonly descending: boolean;
}

export type BoundProjection =
  | { readonly kind: 'Columns'; readonly columns: readonly BoundColumn[] }
  | { readonly kind: 'Count'; readonly alias: string };

export interface BoundSelect {
  readonly kind: 'Select';
  readonly sources: readonly BoundSource[];
  /** Every ON condition, by the index of the source it joins (index 0 has none). */
  readonly joinConditions: readonly (BoundExpr | undefined)[];
  readonly where: BoundExpr | undefined;
  readonly projection: BoundProjection;
  /** The result's row type (column names are the aliases or column names). */
  readonly schema: ProductType;
  readonly orderBy: readonly BoundOrder[];
  readonly limit: bigint | undefined;
  readonly offset: bigint | undefined;
  readonly pos: Position;
}

export interface BoundInsert {
  readonly kind: 'Insert';
  readonly source: BoundSource;
  /** Whole rows, in column order (omitted auto-increment columns hold 0, omitted Options NULL). */
  readonly rows: readonly (readonly AlgebraicValue[])[];
  readonly pos: Position;
}

export interface BoundUpdate {
  readonly kind: 'Update';
  readonly source: BoundSource;
  readonly set: readonly { readonly column: number; readonly value: AlgebraicValue }[];
  readonly where: BoundExpr | undefined;
  readonly pos: Position;
}

export interface BoundDelete {
  readonly kind: 'Delete';
  readonly source: BoundSource;
  readonly where: BoundExpr | undefined;
  readonly pos: Position;
}

export type BoundStatement = BoundSelect | BoundInsert | BoundUpdate | BoundDelete;
