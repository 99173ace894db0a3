/**
 * @module
 * `RawModuleDefV9`: the schema a module declares (tables, indexes, constraints, sequences,
 * reducers), normalised for TypeScript. Its JSON form (what `GET /schema?version=9` returns and
 * what the module's `wasmbase_v1.schema` custom section holds) is the SATS-JSON shape shown in
 * the SpacetimeDB seed; `module-def-json.ts` converts between the two.
 */
import type { AlgebraicType, ProductType } from './sats.js';

export type IndexAlgorithm =
  | { readonly kind: 'BTree'; readonly columns: readonly number[] }
  | { readonly kind: 'Hash'; readonly columns: readonly number[] }
  | { readonly kind: 'Direct'; readonly column: number };

export interface RawIndexDefV9 {
  readonly name: string | undefined;
  readonly accessorName: string | undefined;
  readonly algorithm: IndexAlgorithm;
}

export interface RawUniqueConstraintDefV9 {
  readonly name: string | undefined;
  readonly columns: readonly number[];
}

export interface RawSequenceDefV9 {
  readonly name: string | undefined;
  readonly column: number;
  readonly start: bigint | undefined;
  readonly minValue: bigint | undefined;
  readonly maxValue: bigint | undefined;
  readonly increment: bigint;
}

export interface RawScheduleDefV9 {
  readonly name: string | undefined;
  readonly reducerName: string;
  readonly scheduledAtColumn: number;
}

export interface RawTableDefV9 {
  readonly name: string;
  /** Index into `typespace`; must resolve to a Product type (the row type). */
  readonly productTypeRef: number;
  /** Column indices of the primary key: empty (no key) or exactly one column. */
  readonly primaryKey: readonly number[];
  readonly indexes: readonly RawIndexDefV9[];
  readonly constraints: readonly RawUniqueConstraintDefV9[];
  readonly sequences: readonly RawSequenceDefV9[];
  readonly schedule: RawScheduleDefV9 | undefined;
  readonly tableType: 'System' | 'User';
  readonly tableAccess: 'Public' | 'Private';
}

export type Lifecycle = 'Init' | 'OnConnect' | 'OnDisconnect';

export interface RawReducerDefV9 {
  readonly name: string;
  readonly params: ProductType;
  readonly lifecycle: Lifecycle | undefined;
}

export interface RawTypeDefV9 {
  readonly scope: readonly string[];
  readonly name: string;
  readonly ty: number;
  readonly customOrdering: boolean;
}

export interface RawModuleDefV9 {
  readonly typespace: readonly AlgebraicType[];
  readonly tables: readonly RawTableDefV9[];
  readonly reducers: readonly RawReducerDefV9[];
  readonly types: readonly RawTypeDefV9[];
  /** Kept verbatim as JSON values; wasmbase does not interpret them yet. */
  readonly miscExports: readonly unknown[];
  readonly rowLevelSecurity: readonly { readonly sql: string }[];
}

/** The wasm custom section that carries a module's schema (`RawModuleDefV9` as UTF-8 JSON). */
export const SCHEMA_SECTION = 'wasmbase_v1.schema';
