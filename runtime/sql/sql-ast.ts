/**
 * @module
 * The SQL syntax tree: plain readonly objects with a `kind` discriminant and the source position
 * of each node (for positioned errors in later stages).
 */
import type { Position } from './sql-lexer.js';

export type LiteralType = 'integer' | 'float' | 'string' | 'bool' | 'null' | 'hex';

export interface Literal {
  readonly kind: 'Literal';
  readonly type: LiteralType;
  /** The literal as written (strings unescaped, hex without prefix, bools `true`/`false`). */
  readonly text: string;
  readonly pos: Position;
}

export interface ColumnRef {
  readonly kind: 'Column';
  /** Table name or alias qualifying the column, if written. */
  readonly table: string | undefined;
  readonly name: string;
  readonly pos: Position;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | Literal
  | ColumnRef
  | {
      readonly kind: 'Compare';
      readonly op: CompareOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly pos: Position;
    }
  | {
      readonly kind: 'And' | 'Or';
      readonly left: Expr;
      readonly right: Expr;
      readonly pos: Position;
    }
  | { readonly kind: 'Not'; readonly expr: Expr; readonly pos: Position }
  | {
      readonly kind: 'IsNull';
      readonly expr: Expr;
      readonly negated: boolean;
      readonly pos: Position;
    };

export type SelectItem =
  | { readonly kind: 'Star'; readonly pos: Position }
  | { readonly kind: 'TableStar'; readonly table: string; readonly pos: Position }
  | { readonly kind: 'Column'; readonly column: ColumnRef; readonly alias: string | undefined }
  | { readonly kind: 'Count'; readonly alias: string; readonly pos: Position };

export interface TableRef {
  readonly table: string;
  readonly alias: string | undefined;
  readonly pos: Position;
}

export interface Join {
  readonly table: TableRef;
  readonly on: Expr;
}

export interface OrderItem {
  readonly column: ColumnRef;
  readonly descending: boolean;
}

export interface Select {
  readonly kind: 'Select';
  readonly items: readonly SelectItem[];
  readonly from: TableRef;
  readonly joins: readonly Join[];
  readonly where: Expr | undefined;
  readonly orderBy: readonly OrderItem[];
  readonly limit: bigint | undefined;
  readonly offset: bigint | undefined;
  readonly pos: Position;
}

export interface Insert {
  readonly kind: 'Insert';
  readonly table: TableRef;
  readonly columns: readonly { readonly name: string; readonly pos: Position }[] | undefined;
  readonly rows: readonly (readonly Literal[])[];
  readonly pos: Position;
}

export interface Update {
  readonly kind: 'Update';
  readonly table: TableRef;
  readonly set: readonly { readonly column: ColumnRef; readonly value: Literal }[];
  readonly where: Expr | undefined;
  readonly pos: Position;
}

export interface Delete {
  readonly kind: 'Delete';
  readonly table: TableRef;
  readonly where: Expr | undefined;
  readonly pos: Position;
}

export type Statement = Select | Insert | Update | Delete;
