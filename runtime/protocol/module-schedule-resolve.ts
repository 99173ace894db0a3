/**
 * @module
 * Schedule tables (SpacetimeDB's `#[table(scheduled(reducer))]`): a table whose rows each say
 * when its reducer runs. A table def carries `schedule: {name, reducer_name,
 * scheduled_at_column}`; this file checks that it makes sense and resolves it:
 * - the `scheduled_at_column` exists and is a `ScheduleAt` (the sum
 *   `Interval(TimeDuration) | Time(Timestamp)`, in that order),
 * - the table has a `u64` primary key (the schedule's id),
 * - the reducer exists, is not a lifecycle reducer, is scheduled by one table only, and takes
 *   exactly one argument: a row of the table.
 * Problems go to the caller's `Problems` (one MODULE_INVALID listing all of them).
 */
import type { RawModuleDefV9 } from './module-def.js';
import type { ReducerSchema, ScheduleSchema, TableSchema } from './module-schema.js';
import type { AlgebraicType } from './sats.js';
import type { Problems } from './sats-type-json.js';

/** The `ScheduleAt` variants in tag order, with the one field of each payload. */
export const SCHEDULE_AT_VARIANTS = [
  ['Interval', '__time_duration_micros__'],
  ['Time', '__timestamp_micros_since_unix_epoch__'],
] as const;

/** True when `type` is SpacetimeDB's `ScheduleAt`. */
export function isScheduleAtType(type: AlgebraicType): boolean {
  if (type.tag !== 'Sum' || type.variants.length !== SCHEDULE_AT_VARIANTS.length) return false;
  return SCHEDULE_AT_VARIANTS.every(([name, field], i) => {
    const v = type.variants[i]!;
    if (v.name !== name || v.type.tag !== 'Product' || v.type.elements.length !== 1) return false;
    const el = v.type.elements[0]!;
    return el.name === field && el.type.tag === 'I64';
  });
}

/** Structural equality of two resolved types (names included). */
export function sameAlgebraicType(a: AlgebraicType, b: AlgebraicType): boolean {
  if (a.tag !== b.tag) return false;
  if (a.tag === 'Array' && b.tag === 'Array') return sameAlgebraicType(a.elem, b.elem);
  if (a.tag === 'Ref' && b.tag === 'Ref') return a.ref === b.ref;
  const listA = a.tag === 'Product' ? a.elements : a.tag === 'Sum' ? a.variants : undefined;
  const listB = b.tag === 'Product' ? b.elements : b.tag === 'Sum' ? b.variants : undefined;
  if (listA === undefined || listB === undefined) return listA === listB;
  return (
    listA.length === listB.length &&
    listA.every((el, i) => el.name === listB[i]!.name && sameAlgebraicType(el.type, listB[i]!.type))
  );
}

function checkTable(table: TableSchema, column: number, path: string, problems: Problems): void {
  const col = table.columns[column];
  if (col === undefined)
    problems.add(`${path}.scheduled_at_column`, `column ${column} does not exist`);
  else if (!isScheduleAtType(col.type))
    problems.add(
      `${path}.scheduled_at_column`,
      `column "${col.name}" must be a ScheduleAt (Interval(TimeDuration) | Time(Timestamp))`,
    );
  const pk = table.primaryKey === undefined ? undefined : table.columns[table.primaryKey];
  if (pk === undefined || pk.type.tag !== 'U64' || table.primaryIndex === undefined)
    problems.add(path, 'a schedule table needs a u64 primary key (the schedule id)');
}

function checkReducer(
  table: TableSchema,
  reducer: ReducerSchema | undefined,
  name: string,
  path: string,
  problems: Problems,
): reducer is ReducerSchema {
  if (reducer === undefined) {
    problems.add(`${path}.reducer_name`, `the scheduled reducer "${name}" does not exist`);
    return false;
  }
  if (reducer.lifecycle !== undefined) {
    problems.add(
      `${path}.reducer_name`,
      `"${name}" is a lifecycle reducer; it cannot be scheduled`,
    );
    return false;
  }
  const params = reducer.params.elements;
  const rowType: AlgebraicType = { tag: 'Product', elements: table.rowType.elements };
  if (params.length !== 1 || !sameAlgebraicType(params[0]!.type, rowType)) {
    problems.add(
      `${path}.reducer_name`,
      `the scheduled reducer "${name}" must take exactly one argument, a row of "${table.name}"`,
    );
    return false;
  }
  return true;
}

/** The schedules of `def`, checked against its resolved tables and reducers. */
export function resolveSchedules(
  def: RawModuleDefV9,
  tables: readonly TableSchema[],
  reducerByName: (name: string) => ReducerSchema | undefined,
  problems: Problems,
): ScheduleSchema[] {
  const out: ScheduleSchema[] = [];
  const byReducer = new Map<string, string>();
  def.tables.forEach((raw, tableId) => {
    const s = raw.schedule;
    const table = tables.find(t => t.id === tableId);
    if (s === undefined || table === undefined) return;
    const path = `tables[${tableId}] "${raw.name}".schedule`;
    checkTable(table, s.scheduledAtColumn, path, problems);
    const reducer = reducerByName(s.reducerName);
    if (!checkReducer(table, reducer, s.reducerName, path, problems)) return;
    const other = byReducer.get(reducer.name);
    if (other !== undefined)
      problems.add(path, `reducer "${reducer.name}" is already scheduled by table "${other}"`);
    byReducer.set(reducer.name, table.name);
    if (table.primaryKey === undefined || table.primaryIndex === undefined) return;
    out.push({
      name: s.name ?? `${table.name}_sched`,
      tableId,
      tableName: table.name,
      reducerId: reducer.id,
      reducerName: reducer.name,
      scheduledAtColumn: s.scheduledAtColumn,
      idColumn: table.primaryKey,
      primaryIndexId: table.primaryIndex.id,
    });
  });
  return out;
}
