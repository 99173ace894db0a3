/**
 * @module
 * The executor: runs plans on a `TableReader` snapshot (SELECT) or a `BatchTx` (DML). Rows
 * flow through generators over lazy store reads, so LIMIT stops reading and decoding early (an
 * index-ordered `ORDER BY … LIMIT k` reads k rows), ORDER BY without an index keeps a bounded
 * top-k heap, and the row limit stops a runaway query as soon as it is crossed.
 */
import { decodeFromBytes, encodeToBytes, WasmbaseError } from '../protocol/index.js';
import type { AlgebraicValue, ProductType } from '../protocol/index.js';
import { lazyIndexPoint, lazyIndexRange, type BatchTx, type TableReader } from '../store/index.js';
import { encodeKey, iterateAccess } from './sql-access.js';
import type { BoundColumn, BoundOperand, BoundOrder, BoundSource } from './sql-bound.js';
import type { AccessPath, JoinStep, SelectPlan, StatementPlan } from './sql-plan.js';
import { filterOf, type Tuple } from './sql-predicate.js';
import { sortKeeping } from './sql-top-k.js';
import { compareValues, hashKey, optionInner } from './sql-values.js';

/** What a statement changed (zero for SELECT). */
export interface SqlStats {
  readonly rowsInserted: number;
  readonly rowsDeleted: number;
  readonly rowsUpdated: number;
}

/** The result of one statement: its row type and rows (DML: no columns, no rows). */
export interface SqlStatementResult {
  readonly schema: ProductType;
  readonly rows: AlgebraicValue[][];
  readonly totalDurationMicros: number;
  readonly stats: SqlStats;
}

export const NO_STATS: SqlStats = Object.freeze({
  rowsInserted: 0,
  rowsDeleted: 0,
  rowsUpdated: 0,
});

function* sourceTuples(
  reader: TableReader,
  source: BoundSource,
  a: AccessPath,
  filter: ((t: Tuple) => boolean) | undefined,
  limit: number | undefined,
): Generator<Tuple> {
  for (const raw of iterateAccess(reader, a, limit === undefined ? {} : { limit })) {
    const t: Tuple = [decodeFromBytes(source.rowType, raw) as AlgebraicValue[]];
    if (filter === undefined || filter(t)) yield t;
  }
}

/** Reads `o` from an outer tuple as a join key (undefined for NULL: it matches nothing). */
function joinValue(o: BoundOperand, t: Tuple): AlgebraicValue | undefined {
  if (o.kind === 'Const') return o.value;
  const v = t[o.source]![o.column]!;
  if (optionInner(o.type) === undefined) return v;
  const s = v as { tag: number; value: AlgebraicValue };
  return s.tag === 0 ? s.value : undefined;
}

function hashKeyOf(cols: readonly BoundColumn[], t: Tuple): string | undefined {
  let key = '';
  for (const c of cols) {
    const v = joinValue(c, t);
    if (v === undefined) return undefined;
    key += hashKey(v) + '\u0000';
  }
  return key;
}

function* joinTuples(
  reader: TableReader,
  sources: readonly BoundSource[],
  outer: Iterable<Tuple>,
  step: JoinStep,
): Generator<Tuple> {
  const source = sources[step.source]!;
  const filter = filterOf(step.filter);
  const emit = (t: Tuple, row: readonly AlgebraicValue[]): Tuple | undefined => {
    const joined = [...t, row];
    return filter === undefined || filter(joined) ? joined : undefined;
  };
  if (step.kind === 'IndexJoin') {
    const types = step.index.columns.map(c => step.table.columns[c]!.type);
    const full = step.keys.length === types.length;
    for (const t of outer) {
      const values: AlgebraicValue[] = [];
      for (const k of step.keys) {
        const v = joinValue(k, t);
        if (v === undefined) break;
        values.push(v);
      }
      if (values.length < step.keys.length) continue;
      const key = encodeKey(types.slice(0, values.length), values);
      let rows: Iterable<Uint8Array>;
      if (full && step.index.unique) {
        const row = reader.findUnique(step.index.id, key);
        rows = row === undefined ? [] : [row];
      } else if (full) rows = lazyIndexPoint(reader, step.index.id, key);
      else
        rows = lazyIndexRange(reader, step.index.id, {
          prefix: key,
          prefixElems: values.length,
          start: { kind: 'unbounded' },
          end: { kind: 'unbounded' },
        });
      for (const raw of rows) {
        const out = emit(t, decodeFromBytes(source.rowType, raw) as AlgebraicValue[]);
        if (out !== undefined) yield out;
      }
    }
    return;
  }
  // Hash and nested-loop joins read their side once, lazily (nothing is read if no outer row
  // comes).
  let inner: (readonly AlgebraicValue[])[] | undefined;
  const load = (): (readonly AlgebraicValue[])[] => {
    const pad: (readonly AlgebraicValue[])[] = new Array<readonly AlgebraicValue[]>(step.source);
    const accessFilter = filterOf(step.accessFilter);
    const rows: (readonly AlgebraicValue[])[] = [];
    for (const raw of iterateAccess(reader, step.access)) {
      const row = decodeFromBytes(source.rowType, raw) as AlgebraicValue[];
      if (accessFilter === undefined || accessFilter([...pad, row])) rows.push(row);
    }
    return rows;
  };
  if (step.kind === 'NestedLoopJoin') {
    for (const t of outer) {
      inner ??= load();
      for (const row of inner) {
        const out = emit(t, row);
        if (out !== undefined) yield out;
      }
    }
    return;
  }
  let table: Map<string, (readonly AlgebraicValue[])[]> | undefined;
  for (const t of outer) {
    if (table === undefined) {
      table = new Map();
      const pad: (readonly AlgebraicValue[])[] = new Array<readonly AlgebraicValue[]>(step.source);
      for (const row of load()) {
        const key = hashKeyOf(step.buildKeys, [...pad, row]);
        if (key === undefined) continue;
        const bucket = table.get(key);
        if (bucket === undefined) table.set(key, [row]);
        else bucket.push(row);
      }
    }
    const key = hashKeyOf(step.probeKeys, t);
    if (key === undefined) continue;
    for (const row of table.get(key) ?? []) {
      const out = emit(t, row);
      if (out !== undefined) yield out;
    }
  }
}

/**
 * Every tuple the plan's FROM/JOIN/WHERE produce, in access order (before sort and limit),
 * lazily. `firstRows` caps how many tuples are wanted; it is passed down to the store only
 * when every row read becomes a tuple (no filter, no join), else the consumer just stops.
 */
export function planTuples(
  plan: SelectPlan,
  reader: TableReader,
  firstRows?: number,
): Iterable<Tuple> {
  const s = plan.statement;
  const exact =
    plan.rootFilter === undefined &&
    plan.joins.length === 0 &&
    firstRows !== undefined &&
    Number.isSafeInteger(firstRows);
  let tuples: Iterable<Tuple> = sourceTuples(
    reader,
    s.sources[0]!,
    plan.root,
    filterOf(plan.rootFilter),
    exact ? firstRows : undefined,
  );
  for (const step of plan.joins) tuples = joinTuples(reader, s.sources, tuples, step);
  return tuples;
}

function tupleComparator(order: readonly BoundOrder[]): (a: Tuple, b: Tuple) => number {
  return (a, b) => {
    for (const o of order) {
      const c = compareValues(
        o.column.type,
        a[o.column.source]![o.column.column]!,
        b[o.column.source]![o.column.column]!,
      );
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  };
}

function rowLimitError(limit: number): WasmbaseError {
  return new WasmbaseError(
    'SQL_ROW_LIMIT',
    `the query returns more than ${limit} rows, the row limit (--sql-row-limit); ` +
      'add a LIMIT or a narrower WHERE',
    { limit },
  );
}

export interface ExecuteOptions {
  /** Most rows one statement may return (SQL_ROW_LIMIT beyond). */
  readonly rowLimit: number;
}

/** The output rows of a SELECT plan. */
export function executeSelect(
  plan: SelectPlan,
  reader: TableReader,
  options: ExecuteOptions,
): AlgebraicValue[][] {
  return Array.from(selectRows(plan, reader, options));
}

/**
 * The output rows of a SELECT plan, lazily: a consumer that pauses between rows (a big result
 * built in slices) resumes the same store reads, and one that stops early reads no further.
 * An ORDER BY without an index sorts before its first row comes.
 */
export function* selectRows(
  plan: SelectPlan,
  reader: TableReader,
  options: ExecuteOptions,
): Generator<AlgebraicValue[]> {
  const s = plan.statement;
  const offset = s.offset === undefined ? 0 : Number(s.offset);
  const limit = s.limit === undefined ? Infinity : Number(s.limit);
  if (s.projection.kind === 'Count') {
    let n = 0;
    if (plan.root.kind === 'TableScan' && plan.rootFilter === undefined && plan.joins.length === 0)
      n = reader.count(plan.root.table.id);
    else for (const _ of planTuples(plan, reader)) n++;
    if (offset < 1 && limit >= 1) yield [BigInt(n)];
    return;
  }
  const columns = s.projection.columns;
  if (limit === 0) return;
  let tuples: Iterable<Tuple>;
  if (plan.sort.length > 0) {
    // More than `cap` sorted tuples mean more than rowLimit returned rows: fail as soon as that
    // is certain.
    const cap = offset + options.rowLimit;
    const keep = offset + limit;
    const guard =
      keep > cap
        ? (n: number): void => {
            if (n > cap) throw rowLimitError(options.rowLimit);
          }
        : undefined;
    tuples = sortKeeping(
      planTuples(plan, reader),
      tupleComparator(plan.sort),
      Math.min(keep, cap + 1),
      guard,
    );
  } else {
    tuples = planTuples(plan, reader, offset + limit);
  }
  let skipped = 0;
  let produced = 0;
  for (const t of tuples) {
    if (skipped < offset) {
      skipped++;
      continue;
    }
    if (produced >= options.rowLimit) throw rowLimitError(options.rowLimit);
    produced++;
    yield columns.map(c => t[c.source]![c.column]!);
    if (produced >= limit) return;
  }
}

/** The rows an UPDATE or DELETE touches: raw bytes and decoded values. */
function matchingRows(
  plan: StatementPlan & { kind: 'UpdatePlan' | 'DeletePlan' },
  reader: TableReader,
): { raw: Uint8Array; row: AlgebraicValue[] }[] {
  const source = plan.statement.source;
  const filter = filterOf(plan.filter);
  const out: { raw: Uint8Array; row: AlgebraicValue[] }[] = [];
  for (const raw of iterateAccess(reader, plan.access)) {
    const row = decodeFromBytes(source.rowType, raw) as AlgebraicValue[];
    if (filter === undefined || filter([row])) out.push({ raw, row });
  }
  return out;
}

/**
 * Runs an INSERT, UPDATE or DELETE plan inside a transaction. Store errors (unique
 * violations, …) propagate, and the caller's transaction drops every write of the statement.
 * UPDATE deletes every matching row before inserting their new versions, so swapping unique
 * values between rows works.
 */
export function executeDml(plan: StatementPlan, tx: BatchTx): SqlStats {
  switch (plan.kind) {
    case 'InsertPlan': {
      const { source, rows } = plan.statement;
      for (const row of rows) tx.insert(source.table.id, encodeToBytes(source.rowType, row));
      return { rowsInserted: rows.length, rowsDeleted: 0, rowsUpdated: 0 };
    }
    case 'DeletePlan': {
      const tableId = plan.statement.source.table.id;
      let n = 0;
      for (const { raw } of matchingRows(plan, tx)) if (tx.deleteRow(tableId, raw)) n++;
      return { rowsInserted: 0, rowsDeleted: n, rowsUpdated: 0 };
    }
    case 'UpdatePlan': {
      const { source, set } = plan.statement;
      const matches = matchingRows(plan, tx);
      for (const { raw } of matches) tx.deleteRow(source.table.id, raw);
      for (const { row } of matches) {
        const next = row.slice();
        for (const a of set) next[a.column] = a.value;
        tx.insert(source.table.id, encodeToBytes(source.rowType, next));
      }
      return { rowsInserted: 0, rowsDeleted: 0, rowsUpdated: matches.length };
    }
    case 'SelectPlan':
      throw new WasmbaseError('INTERNAL', 'executeDml called with a SELECT plan');
  }
}
