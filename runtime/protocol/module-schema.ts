/**
 * @module
 * The resolved view of a module's schema that the rest of the server works with: numbered
 * tables, columns with resolved types, indexes with their uniqueness, sequences, reducers.
 * Built once per published module by `resolveModuleSchema` (which validates the raw def and
 * reports every problem at once).
 *
 * Numbering is part of the ABI: table id = position in `RawModuleDefV9.tables`; index id =
 * position in the concatenation of every table's `indexes` in table order; reducer id =
 * position in `RawModuleDefV9.reducers`.
 */
import type { RawModuleDefV9, Lifecycle } from './module-def.js';
import type { AlgebraicType, ProductType } from './sats.js';

export interface ColumnSchema {
  readonly id: number;
  readonly name: string;
  /** Fully resolved (no `Ref` at the top level or inside). */
  readonly type: AlgebraicType;
}

export interface IndexSchema {
  readonly id: number;
  readonly tableId: number;
  readonly name: string;
  readonly columns: readonly number[];
  /** True when a unique constraint covers exactly these columns (primary keys are unique). */
  readonly unique: boolean;
  readonly algorithm: 'BTree' | 'Hash' | 'Direct';
}

export interface SequenceSchema {
  readonly tableId: number;
  readonly column: number;
  readonly name: string;
  readonly start: bigint;
  readonly minValue: bigint;
  readonly maxValue: bigint;
  readonly increment: bigint;
}

export interface TableSchema {
  readonly id: number;
  readonly name: string;
  readonly rowType: ProductType;
  readonly columns: readonly ColumnSchema[];
  /** Column id of the primary key, or undefined when the table has none. */
  readonly primaryKey: number | undefined;
  /** The unique index over the primary key column, when there is one. */
  readonly primaryIndex: IndexSchema | undefined;
  readonly indexes: readonly IndexSchema[];
  readonly sequences: readonly SequenceSchema[];
  readonly isPublic: boolean;
}

export interface ReducerSchema {
  readonly id: number;
  readonly name: string;
  readonly params: ProductType;
  readonly lifecycle: Lifecycle | undefined;
}

/**
 * A schedule table (see `module-schedule-resolve.ts`): each row holds a `ScheduleAt` that says
 * when `reducer` runs with that row as its argument.
 */
export interface ScheduleSchema {
  readonly name: string;
  readonly tableId: number;
  readonly tableName: string;
  readonly reducerId: number;
  readonly reducerName: string;
  /** Column id of the `ScheduleAt` column. */
  readonly scheduledAtColumn: number;
  /** Column id of the u64 primary key (the schedule id). */
  readonly idColumn: number;
  /** The unique index over that key. */
  readonly primaryIndexId: number;
}

export interface ModuleSchema {
  readonly def: RawModuleDefV9;
  readonly tables: readonly TableSchema[];
  readonly indexes: readonly IndexSchema[];
  readonly reducers: readonly ReducerSchema[];
  /** Every schedule table, in table order. */
  readonly schedules: readonly ScheduleSchema[];
  /** The schedule that runs this reducer, when it is a scheduled reducer. */
  scheduleOfReducer(reducerId: number): ScheduleSchema | undefined;
  tableByName(name: string): TableSchema | undefined;
  reducerByName(name: string): ReducerSchema | undefined;
}
