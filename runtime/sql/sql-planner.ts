/**
 * @module
 * The planner: chooses how each bound statement reads its rows.
 *
 * - WHERE and ON are split into conjuncts; each is evaluated as early as its sources allow
 *   (inner joins only, so ON and WHERE conditions are interchangeable).
 * - A source's equality and range conjuncts against constants pick an index: the longest
 *   equality prefix of an index, then a range on the next column (a unique index fully fixed by
 *   equalities beats everything). A table scan is chosen only when no index answers a conjunct.
 * - Joins are left-deep in written order. A joined table with an index whose leading columns
 *   are all fixed by equalities with earlier tables (or constants) is read by index
 *   nested-loop; otherwise equalities drive a hash join; otherwise a nested loop.
 * - When no index answers a conjunct alone, an OR conjunct whose every disjunct an index
 *   answers is read as an index union (each branch's rows, each row once); the rest filters.
 * - ORDER BY over columns of the first table that follow the equality prefix of its index
 *   (all ascending or all descending) streams in index order, backwards for DESC, with no sort.
 * Floats are never answered through an index (-0/0 and NaN make key order differ from SQL).
 */
import type { IndexSchema } from '../protocol/index.js';
import type {
  BoundColumn,
  BoundConst,
  BoundDelete,
  BoundExpr,
  BoundOperand,
  BoundOrder,
  BoundSelect,
  BoundSource,
  BoundStatement,
  BoundUpdate,
} from './sql-bound.js';
import type {
  AccessPath,
  JoinStep,
  RangeBound,
  SelectPlan,
  StatementPlan,
  UnionBranch,
} from './sql-plan.js';
import { indexableType, optionInner } from './sql-values.js';

/** Splits a predicate into its AND-ed parts. */
export function conjunctsOf(e: BoundExpr | undefined): BoundExpr[] {
  if (e === undefined) return [];
  if (e.kind === 'And') return e.terms.flatMap(conjunctsOf);
  return [e];
}

function andOf(terms: readonly BoundExpr[]): BoundExpr | undefined {
  if (terms.length === 0) return undefined;
  return terms.length === 1 ? terms[0]! : { kind: 'And', terms };
}

/** The highest source index a predicate reads (-1 for constants). */
function maxSource(e: BoundExpr): number {
  switch (e.kind) {
    case 'Compare':
      return Math.max(
        e.left.kind === 'Column' ? e.left.source : -1,
        e.right.kind === 'Column' ? e.right.source : -1,
      );
    case 'And':
    case 'Or':
      return Math.max(...e.terms.map(maxSource));
    case 'Not':
      return maxSource(e.expr);
    case 'IsNull':
    case 'BoolColumn':
      return e.column.source;
    case 'Truth':
      return -1;
  }
}

/** `col op const` on this source, as (column, op, const). */
function constCompare(
  e: BoundExpr,
  source: number,
): { column: BoundColumn; op: string; value: BoundConst } | undefined {
  if (
    e.kind !== 'Compare' ||
    e.left.kind !== 'Column' ||
    e.right.kind !== 'Const' ||
    e.left.source !== source
  )
    return undefined;
  return { column: e.left, op: e.op, value: e.right };
}

interface IndexChoice {
  readonly access: AccessPath & { kind: 'IndexScan' };
  readonly consumed: ReadonlySet<BoundExpr>;
  readonly score: number;
  readonly orderSatisfied: boolean;
}

/**
 * Whether ORDER BY `order` is the order of `index` once its first `eqCount` columns are fixed; and
 * which direction.
 */
function orderFromIndex(
  index: IndexSchema,
  eqCount: number,
  order: readonly BoundOrder[],
  source: number,
  unique: boolean,
  types: (c: number) => boolean,
): { ok: boolean; reverse: boolean } {
  if (order.length === 0) return { ok: true, reverse: false };
  if (order.some(o => o.column.source !== source)) return { ok: false, reverse: false };
  if (unique && eqCount === index.columns.length) return { ok: true, reverse: false };
  const fixed = new Set(index.columns.slice(0, eqCount));
  const rest = order.filter(o => !fixed.has(o.column.column));
  if (rest.length === 0) return { ok: true, reverse: false };
  const descending = rest[0]!.descending;
  if (rest.some(o => o.descending !== descending)) return { ok: false, reverse: false };
  for (let i = 0; i < rest.length; i++) {
    const c = index.columns[eqCount + i];
    if (c === undefined || c !== rest[i]!.column.column || !types(c))
      return { ok: false, reverse: false };
  }
  if (index.algorithm === 'Hash') return { ok: false, reverse: false };
  return { ok: true, reverse: descending };
}

/**
 * The best way to read `source` given its own conjuncts (and, for the first source, the wanted
 * order). Returns the access path, the conjuncts still to check, and whether order is served.
 */
export function planAccess(
  source: BoundSource,
  conjuncts: readonly BoundExpr[],
  order: readonly BoundOrder[] = [],
): { access: AccessPath; residual: BoundExpr[]; orderSatisfied: boolean } {
  const table = source.table;
  const s = source.index;
  if (conjuncts.some(c => c.kind === 'Truth' && c.value !== true)) {
    return { access: { kind: 'Empty', source: s, table }, residual: [], orderSatisfied: true };
  }
  const live = conjuncts.filter(c => !(c.kind === 'Truth' && c.value === true));
  const indexable = (c: number): boolean => indexableType(table.columns[c]!.type);
  const choices: IndexChoice[] = [];
  for (const index of table.indexes) {
    const eq: BoundConst[] = [];
    const consumed = new Set<BoundExpr>();
    for (const c of index.columns) {
      if (!indexable(c)) break;
      const hit = live.find(e => {
        const cc = constCompare(e, s);
        return cc !== undefined && cc.op === '=' && cc.column.column === c;
      });
      if (hit === undefined) break;
      eq.push((hit as { right: BoundConst }).right);
      consumed.add(hit);
    }
    let lower: RangeBound | undefined;
    let upper: RangeBound | undefined;
    const next = index.columns[eq.length];
    if (next !== undefined && index.algorithm !== 'Hash' && indexable(next)) {
      // Ranges over an Option column stay checked afterwards: an open end would take in NULLs.
      const keep = optionInner(table.columns[next]!.type) === undefined;
      for (const e of live) {
        const cc = constCompare(e, s);
        if (cc === undefined || cc.column.column !== next) continue;
        if ((cc.op === '>' || cc.op === '>=') && lower === undefined)
          lower = { value: cc.value, inclusive: cc.op === '>=' };
        else if ((cc.op === '<' || cc.op === '<=') && upper === undefined)
          upper = { value: cc.value, inclusive: cc.op === '<=' };
        else continue;
        if (keep) consumed.add(e);
      }
    }
    if (index.algorithm === 'Hash' && eq.length < index.columns.length) {
      eq.length = 0;
      consumed.clear();
    }
    const full = eq.length === index.columns.length;
    const score =
      full && index.unique
        ? 1_000_000
        : eq.length * 100 +
          (lower !== undefined ? 10 : 0) +
          (upper !== undefined ? 10 : 0) +
          (full ? 5 : 0);
    const o = orderFromIndex(index, eq.length, order, s, index.unique, indexable);
    choices.push({
      access: { kind: 'IndexScan', source: s, table, index, eq, lower, upper, reverse: o.reverse },
      consumed,
      score,
      orderSatisfied: o.ok,
    });
  }
  const better = (a: IndexChoice, b: IndexChoice): boolean =>
    a.score !== b.score
      ? a.score > b.score
      : a.orderSatisfied !== b.orderSatisfied
        ? a.orderSatisfied
        : a.access.index.columns.length < b.access.index.columns.length;
  let best: IndexChoice | undefined;
  for (const c of choices) if (c.score > 0 && (best === undefined || better(c, best))) best = c;
  if (best === undefined) {
    // No single index answers a conjunct; an OR whose every disjunct an index answers still can.
    for (const c of live) {
      const union = c.kind === 'Or' ? planUnion(source, c) : undefined;
      if (union !== undefined)
        return {
          access: union,
          residual: live.filter(e => e !== c),
          orderSatisfied: order.length === 0,
        };
    }
  }
  if (best === undefined && order.length > 0) {
    // No index answers the predicate: an index that gives the order still saves the sort.
    for (const c of choices)
      if (c.orderSatisfied && c.access.eq.length === 0 && (best === undefined || better(c, best)))
        best = c;
  }
  if (best === undefined)
    return {
      access: { kind: 'TableScan', source: s, table },
      residual: live,
      orderSatisfied: order.length === 0,
    };
  return {
    access: best.access,
    residual: live.filter(e => !best.consumed.has(e)),
    orderSatisfied: best.orderSatisfied,
  };
}

/** The terms of an OR, nested ORs flattened. */
function disjunctsOf(e: BoundExpr): BoundExpr[] {
  return e.kind === 'Or' ? e.terms.flatMap(disjunctsOf) : [e];
}

/** Most disjuncts one OR may have to be read as an index union. */
const MAX_UNION_BRANCHES = 64;

/** An index union for `or`, if an index answers each of its disjuncts. */
function planUnion(source: BoundSource, or: BoundExpr): AccessPath | undefined {
  const disjuncts = disjunctsOf(or);
  if (disjuncts.length > MAX_UNION_BRANCHES) return undefined;
  const branches: UnionBranch[] = [];
  for (const disjunct of disjuncts) {
    const { access, residual } = planAccess(source, conjunctsOf(disjunct));
    if (access.kind !== 'IndexScan' && access.kind !== 'Empty') return undefined;
    branches.push({ access, filter: andOf(residual), disjunct });
  }
  return { kind: 'IndexUnion', source: source.index, table: source.table, branches };
}

/** `this.col = earlier.col` for joining source `s`: (this column, earlier column). */
function joinEquality(
  e: BoundExpr,
  s: number,
): { inner: BoundColumn; outer: BoundColumn } | undefined {
  if (e.kind !== 'Compare' || e.op !== '=' || e.left.kind !== 'Column' || e.right.kind !== 'Column')
    return undefined;
  if (e.left.source === s && e.right.source < s) return { inner: e.left, outer: e.right };
  if (e.right.source === s && e.left.source < s) return { inner: e.right, outer: e.left };
  return undefined;
}

function planJoin(source: BoundSource, conjuncts: readonly BoundExpr[]): JoinStep {
  const s = source.index;
  const table = source.table;
  const local = conjuncts.filter(e => maxSource(e) === s && !usesEarlier(e, s));
  const cross = conjuncts.filter(e => !local.includes(e));
  // Index nested-loop: an index whose leading columns are all fixed, at least one by a join column.
  let best:
    | { index: IndexSchema; keys: BoundOperand[]; consumed: Set<BoundExpr>; score: number }
    | undefined;
  for (const index of table.indexes) {
    const keys: BoundOperand[] = [];
    const consumed = new Set<BoundExpr>();
    let joined = false;
    for (const c of index.columns) {
      if (!indexableType(table.columns[c]!.type)) break;
      const j = cross.find(e => joinEquality(e, s)?.inner.column === c);
      if (j !== undefined) {
        keys.push(joinEquality(j, s)!.outer);
        consumed.add(j);
        joined = true;
        continue;
      }
      const k = local.find(e => {
        const cc = constCompare(e, s);
        return cc !== undefined && cc.op === '=' && cc.column.column === c;
      });
      if (k === undefined) break;
      keys.push((k as { right: BoundConst }).right);
      consumed.add(k);
    }
    if (!joined || (index.algorithm === 'Hash' && keys.length < index.columns.length)) continue;
    const score = keys.length === index.columns.length && index.unique ? 1_000_000 : keys.length;
    if (best === undefined || score > best.score) best = { index, keys, consumed, score };
  }
  if (best !== undefined) {
    const b = best;
    return {
      kind: 'IndexJoin',
      source: s,
      table,
      index: b.index,
      keys: b.keys,
      filter: andOf(conjuncts.filter(e => !b.consumed.has(e))),
    };
  }
  const { access, residual } = planAccess(source, local);
  const equalities = cross
    .map(e => [e, joinEquality(e, s)] as const)
    .filter(([, j]) => j !== undefined);
  if (equalities.length > 0) {
    return {
      kind: 'HashJoin',
      source: s,
      access,
      accessFilter: andOf(residual),
      buildKeys: equalities.map(([, j]) => j!.inner),
      probeKeys: equalities.map(([, j]) => j!.outer),
      filter: andOf(cross.filter(e => !equalities.some(([q]) => q === e))),
    };
  }
  return {
    kind: 'NestedLoopJoin',
    source: s,
    access,
    accessFilter: andOf(residual),
    filter: andOf(cross),
  };
}

/** True when a predicate reads a source before `s`. */
function usesEarlier(e: BoundExpr, s: number): boolean {
  switch (e.kind) {
    case 'Compare':
      return (
        (e.left.kind === 'Column' && e.left.source < s) ||
        (e.right.kind === 'Column' && e.right.source < s)
      );
    case 'And':
    case 'Or':
      return e.terms.some(t => usesEarlier(t, s));
    case 'Not':
      return usesEarlier(e.expr, s);
    case 'IsNull':
    case 'BoolColumn':
      return e.column.source < s;
    case 'Truth':
      return false;
  }
}

/** Plans a SELECT. */
export function planSelect(statement: BoundSelect): SelectPlan {
  const all = [...conjunctsOf(statement.where), ...statement.joinConditions.flatMap(conjunctsOf)];
  const bySource = statement.sources.map(() => [] as BoundExpr[]);
  for (const e of all) bySource[Math.max(0, maxSource(e))]!.push(e);
  const counting = statement.projection.kind === 'Count';
  const order = counting ? [] : statement.orderBy;
  const root = planAccess(statement.sources[0]!, bySource[0]!, order);
  const joins = statement.sources.slice(1).map(src => planJoin(src, bySource[src.index]!));
  const orderFromIndex =
    order.length > 0 && root.orderSatisfied && root.access.kind === 'IndexScan';
  return {
    kind: 'SelectPlan',
    statement,
    root: root.access,
    rootFilter: andOf(root.residual),
    joins,
    sort: root.orderSatisfied ? [] : order,
    orderFromIndex,
  };
}

function planDml<S extends BoundUpdate | BoundDelete>(
  statement: S,
): { access: AccessPath; filter: BoundExpr | undefined } {
  const { access, residual } = planAccess(statement.source, conjunctsOf(statement.where));
  return { access, filter: andOf(residual) };
}

/** Plans any bound statement. */
export function planStatement(statement: BoundStatement): StatementPlan {
  switch (statement.kind) {
    case 'Select':
      return planSelect(statement);
    case 'Insert':
      return { kind: 'InsertPlan', statement };
    case 'Update':
      return { kind: 'UpdatePlan', statement, ...planDml(statement) };
    case 'Delete':
      return { kind: 'DeletePlan', statement, ...planDml(statement) };
  }
}
