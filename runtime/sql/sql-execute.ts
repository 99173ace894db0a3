/**
 * @module
 * The executor: runs plans on a `TableReader` snapshot (SELECT) or a `BatchTx` (DML). Rows
 * flow through generators, so LIMIT stops reading and decoding early and the row limit stops
 * a runaway query as soon as it is crossed.
 */
import { BsatnWriter, decodeFromBytes, encodeToBytes, encodeValue, WasmbaseError } from '../protocol/index.js';
import type { AlgebraicType, AlgebraicValue, ProductType } from '../protocol/index.js';
import type { BatchTx, KeyBound, TableReader } from '../store/index.js';
import type { BoundColumn, BoundExpr, BoundOperand, BoundOrder, BoundSource } from './sql-bound.js';
import type { AccessPath, JoinStep, SelectPlan, StatementPlan } from './sql-plan.js';
import { compareValues, hashKey, optionInner, some } from './sql-values.js';

/** The rows of one source, by source index. */
export type Tuple = readonly (readonly AlgebraicValue[])[];

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

export const NO_STATS: SqlStats = Object.freeze({ rowsInserted: 0, rowsDeleted: 0, rowsUpdated: 0 });

/** Marks an empty Option (SQL NULL) inside predicate evaluation. */
const NULL = Symbol('NULL');
type Scalar = AlgebraicValue | typeof NULL;
type Predicate = (t: Tuple) => boolean | null;

function operandReader(o: BoundOperand): (t: Tuple) => Scalar {
  if (o.kind === 'Const') {
    const v = o.value;
    return () => v;
  }
  const { source, column } = o;
  if (optionInner(o.type) === undefined) return t => t[source]![column]!;
  return t => {
    const v = t[source]![column] as { tag: number; value: AlgebraicValue };
    return v.tag === 0 ? v.value : NULL;
  };
}

/** Compiles a predicate to a function with SQL's three-valued logic (null = unknown). */
export function compilePredicate(e: BoundExpr): Predicate {
  switch (e.kind) {
    case 'Truth': {
      const v = e.value;
      return () => v;
    }
    case 'BoolColumn': {
      const read = operandReader(e.column);
      return t => {
        const v = read(t);
        return v === NULL ? null : (v as boolean);
      };
    }
    case 'IsNull': {
      const { source, column, negated } = { source: e.column.source, column: e.column.column, negated: e.negated };
      return t => ((t[source]![column] as { tag: number }).tag === 1) !== negated;
    }
    case 'Not': {
      const inner = compilePredicate(e.expr);
      return t => {
        const v = inner(t);
        return v === null ? null : !v;
      };
    }
    case 'And': {
      const terms = e.terms.map(compilePredicate);
      return t => {
        let unknown = false;
        for (const p of terms) {
          const v = p(t);
          if (v === false) return false;
          if (v === null) unknown = true;
        }
        return unknown ? null : true;
      };
    }
    case 'Or': {
      const terms = e.terms.map(compilePredicate);
      return t => {
        let unknown = false;
        for (const p of terms) {
          const v = p(t);
          if (v === true) return true;
          if (v === null) unknown = true;
        }
        return unknown ? null : false;
      };
    }
    case 'Compare': {
      const left = operandReader(e.left);
      const right = operandReader(e.right);
      const type = e.type;
      const float = type.tag === 'F32' || type.tag === 'F64';
      const cmp = float ? (a: Scalar, b: Scalar): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : a === b ? 0 : NaN) : (a: Scalar, b: Scalar): number => compareValues(type, a as AlgebraicValue, b as AlgebraicValue);
      const test = {
        '=': (c: number) => c === 0,
        '!=': (c: number) => c !== 0 && !Number.isNaN(c),
        '<': (c: number) => c < 0,
        '<=': (c: number) => c <= 0,
        '>': (c: number) => c > 0,
        '>=': (c: number) => c >= 0,
      }[e.op];
      return t => {
        const a = left(t);
        const b = right(t);
        if (a === NULL || b === NULL) return null;
        return test(cmp(a, b));
      };
    }
  }
}

function filterOf(e: BoundExpr | undefined): ((t: Tuple) => boolean) | undefined {
  if (e === undefined) return undefined;
  const p = compilePredicate(e);
  return t => p(t) === true;
}

/** A value of a key column as stored (Option columns hold `some(v)`). */
function keyValue(columnType: AlgebraicType, v: AlgebraicValue): AlgebraicValue {
  return optionInner(columnType) === undefined ? v : some(v);
}

function encodeKey(types: readonly AlgebraicType[], values: readonly AlgebraicValue[]): Uint8Array {
  const w = new BsatnWriter(64);
  for (let i = 0; i < values.length; i++) encodeValue(w, types[i]!, keyValue(types[i]!, values[i]!));
  return w.toBytes();
}

/** The raw rows an access path reads. */
export function readAccess(reader: TableReader, a: AccessPath): Uint8Array[] {
  switch (a.kind) {
    case 'Empty':
      return [];
    case 'TableScan':
      return reader.scan(a.table.id);
    case 'IndexScan': {
      const types = a.index.columns.map(c => a.table.columns[c]!.type);
      const eqValues = a.eq.map(c => c.value);
      if (a.eq.length === types.length) {
        const key = encodeKey(types, eqValues);
        if (a.index.unique) {
          const row = reader.findUnique(a.index.id, key);
          return row === undefined ? [] : [row];
        }
        return reader.scanIndexPoint(a.index.id, key);
      }
      const colType = types[a.eq.length]!;
      const bound = (b: { value: { value: AlgebraicValue }; inclusive: boolean } | undefined): KeyBound =>
        b === undefined ? { kind: 'unbounded' } : { kind: b.inclusive ? 'included' : 'excluded', value: encodeToBytes(colType, keyValue(colType, b.value.value)) };
      return reader.scanIndexRange(
        a.index.id,
        { prefix: encodeKey(types.slice(0, a.eq.length), eqValues), prefixElems: a.eq.length, start: bound(a.lower), end: bound(a.upper) },
        a.reverse,
      );
    }
  }
}

function* sourceTuples(reader: TableReader, source: BoundSource, a: AccessPath, filter: ((t: Tuple) => boolean) | undefined): Generator<Tuple> {
  for (const raw of readAccess(reader, a)) {
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

function* joinTuples(reader: TableReader, sources: readonly BoundSource[], outer: Iterable<Tuple>, step: JoinStep): Generator<Tuple> {
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
      let rows: Uint8Array[];
      if (full && step.index.unique) {
        const row = reader.findUnique(step.index.id, key);
        rows = row === undefined ? [] : [row];
      } else if (full) rows = reader.scanIndexPoint(step.index.id, key);
      else rows = reader.scanIndexRange(step.index.id, { prefix: key, prefixElems: values.length, start: { kind: 'unbounded' }, end: { kind: 'unbounded' } });
      for (const raw of rows) {
        const out = emit(t, decodeFromBytes(source.rowType, raw) as AlgebraicValue[]);
        if (out !== undefined) yield out;
      }
    }
    return;
  }
  // Hash and nested-loop joins read their side once, lazily (nothing is read if no outer row comes).
  let inner: (readonly AlgebraicValue[])[] | undefined;
  const load = (): (readonly AlgebraicValue[])[] => {
    const pad: (readonly AlgebraicValue[])[] = new Array<readonly AlgebraicValue[]>(step.source);
    const accessFilter = filterOf(step.accessFilter);
    const rows: (readonly AlgebraicValue[])[] = [];
    for (const raw of readAccess(reader, step.access)) {
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

/** Every tuple the plan's FROM/JOIN/WHERE produce, in access order (before sort and limit). */
export function planTuples(plan: SelectPlan, reader: TableReader): Iterable<Tuple> {
  const s = plan.statement;
  let tuples: Iterable<Tuple> = sourceTuples(reader, s.sources[0]!, plan.root, filterOf(plan.rootFilter));
  for (const step of plan.joins) tuples = joinTuples(reader, s.sources, tuples, step);
  return tuples;
}

function tupleComparator(order: readonly BoundOrder[]): (a: Tuple, b: Tuple) => number {
  return (a, b) => {
    for (const o of order) {
      const c = compareValues(o.column.type, a[o.column.source]![o.column.column]!, b[o.column.source]![o.column.column]!);
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  };
}

function rowLimitError(limit: number): WasmbaseError {
  return new WasmbaseError('SQL_ROW_LIMIT', `the query returns more than ${limit} rows, the row limit (--sql-row-limit); add a LIMIT or a narrower WHERE`, { limit });
}

/**
 * Sorts, keeping only the first `keep` rows (a bounded buffer when `keep` is finite). When more
 * than `keep` rows may be wanted, fails as soon as more than `cap` rows are buffered.
 */
function sortTuples(tuples: Iterable<Tuple>, order: readonly BoundOrder[], keep: number, cap: number, rowLimit: number): Tuple[] {
  const cmp = tupleComparator(order);
  const buf: Tuple[] = [];
  const window = Number.isFinite(keep) ? Math.max(2 * keep, 1024) : Infinity;
  for (const t of tuples) {
    buf.push(t);
    if (keep > cap && buf.length > cap) throw rowLimitError(rowLimit);
    if (buf.length >= window) {
      buf.sort(cmp);
      buf.length = keep;
    }
  }
  buf.sort(cmp);
  if (buf.length > keep) buf.length = keep;
  return buf;
}

export interface ExecuteOptions {
  /** Most rows one statement may return (SQL_ROW_LIMIT beyond). */
  readonly rowLimit: number;
}

/** The output rows of a SELECT plan. */
export function executeSelect(plan: SelectPlan, reader: TableReader, options: ExecuteOptions): AlgebraicValue[][] {
  const s = plan.statement;
  const offset = s.offset === undefined ? 0 : Number(s.offset);
  const limit = s.limit === undefined ? Infinity : Number(s.limit);
  if (s.projection.kind === 'Count') {
    let n = 0;
    if (plan.root.kind === 'TableScan' && plan.rootFilter === undefined && plan.joins.length === 0) n = reader.count(plan.root.table.id);
    else for (const _ of planTuples(plan, reader)) n++;
    return offset >= 1 || limit < 1 ? [] : [[BigInt(n)]];
  }
  const columns = s.projection.columns;
  const out: AlgebraicValue[][] = [];
  if (limit === 0) return out;
  let tuples: Iterable<Tuple> = planTuples(plan, reader);
  if (plan.sort.length > 0) tuples = sortTuples(tuples, plan.sort, offset + limit, offset + options.rowLimit, options.rowLimit);
  let skipped = 0;
  for (const t of tuples) {
    if (skipped < offset) {
      skipped++;
      continue;
    }
    if (out.length >= options.rowLimit) throw rowLimitError(options.rowLimit);
    out.push(columns.map(c => t[c.source]![c.column]!));
    if (out.length >= limit) break;
  }
  return out;
}

/** The rows an UPDATE or DELETE touches: raw bytes and decoded values. */
function matchingRows(plan: StatementPlan & { kind: 'UpdatePlan' | 'DeletePlan' }, reader: TableReader): { raw: Uint8Array; row: AlgebraicValue[] }[] {
  const source = plan.statement.source;
  const filter = filterOf(plan.filter);
  const out: { raw: Uint8Array; row: AlgebraicValue[] }[] = [];
  for (const raw of readAccess(reader, plan.access)) {
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
