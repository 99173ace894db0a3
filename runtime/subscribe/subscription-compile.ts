/**
 * @module
 * Compiling a subscription query: the SQL engine's parser and binder, then the checks of the
 * subscription dialect (whole rows of one table, inner equi-joins through indexes, no ORDER BY,
 * LIMIT, COUNT or column lists), then a plan for incremental evaluation:
 *
 * - conjuncts of ON and WHERE split into per-source filters and cross-source conditions;
 * - for every source, an order of index lookups that reaches all other sources from it (a
 *   delta of any table is joined outwards from its changed rows, so every join column that is
 *   looked up must be indexed);
 * - per source, a column pinned to a constant (`t.c = 5`, or through a join equality with a
 *   pinned column) for pruning.
 */
import {
  encodeToBytes,
  formatType,
  WasmbaseError,
  type AlgebraicValue,
  type IndexSchema,
  type ModuleSchema,
  type TableSchema,
} from '../protocol/index.js';
import { bindStatement, compilePredicate, conjunctsOf, parseSql, tokenize } from '../sql/index.js';
import type {
  BindOptions,
  BoundColumn,
  BoundExpr,
  BoundSelect,
  ColumnRef,
  Expr,
  Position,
  Select,
} from '../sql/index.js';
import { bytesKey, isFloatType, optionInner, some } from './row-keys.js';
import { canonicalKey } from './subscription-key.js';
import {
  MAX_SUBSCRIPTION_TABLES,
  type CompiledSubscription,
  type Pin,
  type Predicate,
  type ProbeStep,
  type QueryPlan,
  type SourcePlan,
} from './subscription-types.js';

const PLANS = new WeakMap<CompiledSubscription, QueryPlan>();

/** The plan behind a query made by `compileSubscription`. */
export function planOf(query: CompiledSubscription): QueryPlan {
  const plan = PLANS.get(query);
  if (plan === undefined)
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      'not a compiled subscription: make queries with compileSubscription',
    );
  return plan;
}

function unsupportedAt(message: string, pos: Position): WasmbaseError {
  return new WasmbaseError('SQL_UNSUPPORTED', `${message} at ${pos.line}:${pos.column}`, {
    line: pos.line,
    column: pos.column,
  });
}

/** Rejects the forms of the ad-hoc dialect that subscriptions do not take. */
function checkShape(s: Select, sql: string): void {
  const second = s.items[1];
  if (second !== undefined) {
    throw unsupportedAt(
      'a subscription returns whole rows of one table (SELECT * or SELECT t.*), ' +
        'not a list of items',
      second.kind === 'Column' ? second.column.pos : second.pos,
    );
  }
  const item = s.items[0]!;
  if (item.kind === 'Column') {
    throw unsupportedAt(
      'a subscription returns whole rows of one table (SELECT * or SELECT t.*), not columns',
      item.column.pos,
    );
  }
  if (item.kind === 'Count')
    throw unsupportedAt(
      'COUNT(*) cannot be subscribed to: subscribe to the rows and count them in the client',
      item.pos,
    );
  if (item.kind === 'Star' && s.joins.length > 0) {
    throw unsupportedAt(
      'SELECT * over a join mixes the columns of several tables: ' +
        'a subscription returns whole rows of one table, so write SELECT alias.*',
      item.pos,
    );
  }
  if (s.orderBy.length > 0)
    throw unsupportedAt(
      'ORDER BY is not supported in subscriptions (the rows are a set; order them in the client)',
      s.orderBy[0]!.column.pos,
    );
  if (s.limit !== undefined || s.offset !== undefined) {
    // The tree keeps no position for LIMIT; the first LIMIT keyword is it (there are no
    // subqueries).
    const t = tokenize(sql).find(
      x => x.kind === 'keyword' && (x.text === 'LIMIT' || x.text === 'OFFSET'),
    );
    throw unsupportedAt(
      'LIMIT and OFFSET are not supported in subscriptions ' +
        '(a subscription keeps every matching row)',
      t?.pos ?? s.pos,
    );
  }
  if (s.joins.length + 1 > MAX_SUBSCRIPTION_TABLES) {
    throw unsupportedAt(
      `a subscription joins at most ${MAX_SUBSCRIPTION_TABLES} tables`,
      s.joins[MAX_SUBSCRIPTION_TABLES - 1]!.table.pos,
    );
  }
}

/** The sources a bound predicate reads. */
function sourcesOf(e: BoundExpr, out = new Set<number>()): Set<number> {
  switch (e.kind) {
    case 'Compare':
      if (e.left.kind === 'Column') out.add(e.left.source);
      if (e.right.kind === 'Column') out.add(e.right.source);
      break;
    case 'And':
    case 'Or':
      for (const t of e.terms) sourcesOf(t, out);
      break;
    case 'Not':
      sourcesOf(e.expr, out);
      break;
    case 'IsNull':
    case 'BoolColumn':
      out.add(e.column.source);
      break;
    case 'Truth':
      break;
  }
  return out;
}

/** Where the query text names `column` (for positioned errors); falls back to its table. */
function columnPos(s: Select, b: BoundSelect, column: BoundColumn): Position {
  const src = b.sources[column.source]!;
  const name = src.table.columns[column.column]!.name;
  const stack: Expr[] = [
    ...s.joins.map(j => j.on),
    ...(s.where === undefined ? [] : [s.where]),
  ].reverse();
  while (stack.length > 0) {
    const e = stack.pop()!;
    switch (e.kind) {
      case 'Column': {
        const ref: ColumnRef = e;
        if (ref.name === name && (ref.table === src.alias || ref.table === undefined))
          return ref.pos;
        break;
      }
      case 'Compare':
      case 'And':
      case 'Or':
        stack.push(e.right, e.left);
        break;
      case 'Not':
      case 'IsNull':
        stack.push(e.expr);
        break;
      case 'Literal':
        break;
    }
  }
  return tablePos(s, column.source);
}

function tablePos(s: Select, source: number): Position {
  return source === 0 ? s.from.pos : s.joins[source - 1]!.table.pos;
}

/**
 * The index to look rows of `table` up by `column`: its first column is `column` (unique first).
 */
export function probeIndex(table: TableSchema, column: number): IndexSchema | undefined {
  if (isFloatType(table.columns[column]!.type)) return undefined;
  let best: IndexSchema | undefined;
  const rank = (ix: IndexSchema): number =>
    ix.columns.length === 1 ? (ix.unique ? 0 : 1) : 1 + ix.columns.length;
  for (const ix of table.indexes) {
    if (ix.columns[0] !== column || (ix.algorithm === 'Hash' && ix.columns.length > 1)) continue;
    if (best === undefined || rank(ix) < rank(best)) best = ix;
  }
  return best;
}

interface Edge {
  readonly a: BoundColumn;
  readonly b: BoundColumn;
}

function joinEdges(cross: readonly BoundExpr[]): Edge[] {
  const out: Edge[] = [];
  for (const e of cross) {
    if (
      e.kind === 'Compare' &&
      e.op === '=' &&
      e.left.kind === 'Column' &&
      e.right.kind === 'Column' &&
      e.left.source !== e.right.source
    ) {
      out.push({ a: e.left, b: e.right });
    }
  }
  return out;
}

/**
 * The probe steps from `start` to every other source, or a positioned error naming what is
 * missing.
 */
function probeOrder(
  s: Select,
  b: BoundSelect,
  start: number,
  edges: readonly Edge[],
  cross: readonly { expr: BoundExpr; sources: ReadonlySet<number>; test: Predicate }[],
): ProbeStep[] {
  const n = b.sources.length;
  const position = new Array<number>(n).fill(-1);
  position[start] = 0;
  const found: { target: BoundColumn; from: BoundColumn; index: IndexSchema }[] = [];
  while (found.length < n - 1) {
    let pick: (typeof found)[number] | undefined;
    for (const e of edges) {
      for (const [from, target] of [
        [e.a, e.b],
        [e.b, e.a],
      ] as const) {
        if (position[from.source]! < 0 || position[target.source]! >= 0) continue;
        const index = probeIndex(b.sources[target.source]!.table, target.column);
        if (index === undefined) continue;
        // A unique index finds at most one row: prefer it.
        if (
          pick === undefined ||
          (index.unique &&
            index.columns.length === 1 &&
            !(pick.index.unique && pick.index.columns.length === 1))
        )
          pick = { target, from, index };
      }
    }
    if (pick === undefined) throw missingJoin(s, b, position, edges);
    position[pick.target.source] = found.length + 1;
    found.push(pick);
  }
  return found.map((f, k) => {
    const step = k + 1;
    const filters = cross
      .filter(c => Math.max(...[...c.sources].map(x => position[x]!)) === step)
      .map(c => c.test);
    const keyType = b.sources[f.target.source]!.table.columns[f.target.column]!.type;
    return {
      target: f.target.source,
      from: f.from.source,
      fromColumn: f.from.column,
      fromOptional: optionInner(f.from.type) !== undefined,
      index: f.index,
      keyType,
      keyOptional: optionInner(keyType) !== undefined,
      filters,
    };
  });
}

function missingJoin(
  s: Select,
  b: BoundSelect,
  position: readonly number[],
  edges: readonly Edge[],
): WasmbaseError {
  for (const e of edges) {
    for (const [from, target] of [
      [e.a, e.b],
      [e.b, e.a],
    ] as const) {
      if (position[from.source]! < 0 || position[target.source]! >= 0) continue;
      const table = b.sources[target.source]!.table;
      const col = table.columns[target.column]!;
      if (isFloatType(col.type)) {
        return unsupportedAt(
          `join column ${target.label} is ${formatType(col.type)}: ` +
            'float columns cannot be looked up through an index (-0 and NaN); ' +
            'join on another column',
          columnPos(s, b, target),
        );
      }
      return unsupportedAt(
        `join column ${target.label} is not indexed: ` +
          `when rows of ${b.sources[from.source]!.alias} change, ` +
          'a subscription looks up the matching rows of ' +
          `${b.sources[target.source]!.alias} by it; ` +
          `add an index on ${table.name}.${col.name} (btree, unique or primary key)`,
        columnPos(s, b, target),
      );
    }
  }
  const lost = position.findIndex(p => p < 0);
  const src = b.sources[lost]!;
  return unsupportedAt(
    `table ${src.alias} is not joined to the others by an equality between columns ` +
      `(JOIN ${src.table.name} ON ${src.alias}.col = other.col): ` +
      'subscriptions take inner equi-joins only',
    tablePos(s, lost),
  );
}

function pinKey(table: TableSchema, column: number, value: AlgebraicValue): Pin {
  const type = table.columns[column]!.type;
  const stored = optionInner(type) === undefined ? value : some(value);
  return { column, value, valueKey: bytesKey(encodeToBytes(type, stored)) };
}

/**
 * Each source's pinned column: its first own `col = constant` conjunct, else a join column
 * equal to another source's pinned column (`p.id = 7 AND q.owner = p.id` pins q.owner to 7).
 * An implied pin is exact for pruning: a changed row without the value joins only rows that
 * fail the other source's own condition.
 */
function pinsOf(
  b: BoundSelect,
  local: readonly (readonly BoundExpr[])[],
  edges: readonly Edge[],
): (Pin | undefined)[] {
  const pins = b.sources.map((src): Pin | undefined => {
    for (const e of local[src.index]!) {
      if (
        e.kind !== 'Compare' ||
        e.op !== '=' ||
        e.left.kind !== 'Column' ||
        e.right.kind !== 'Const' ||
        e.left.source !== src.index
      )
        continue;
      if (isFloatType(src.table.columns[e.left.column]!.type)) continue;
      return pinKey(src.table, e.left.column, e.right.value);
    }
    return undefined;
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const e of edges) {
      for (const [from, to] of [
        [e.a, e.b],
        [e.b, e.a],
      ] as const) {
        const pin = pins[from.source];
        if (pin === undefined || pin.column !== from.column || pins[to.source] !== undefined)
          continue;
        pins[to.source] = pinKey(b.sources[to.source]!.table, to.column, pin.value);
        changed = true;
      }
    }
  }
  return pins;
}

function andOf(terms: readonly BoundExpr[]): BoundExpr | undefined {
  if (terms.length === 0) return undefined;
  return terms.length === 1 ? terms[0]! : { kind: 'And', terms };
}

function buildPlan(
  schema: ModuleSchema,
  s: Select,
  b: BoundSelect,
): { plan: QueryPlan; conjuncts: BoundExpr[] } {
  const item = s.items[0]!;
  const returned =
    item.kind === 'TableStar' ? b.sources.find(x => x.alias === item.table)!.index : 0;
  const conjuncts = [...b.joinConditions.flatMap(conjunctsOf), ...conjunctsOf(b.where)];
  const local: BoundExpr[][] = b.sources.map(() => []);
  const cross: { expr: BoundExpr; sources: ReadonlySet<number>; test: Predicate }[] = [];
  let never = false;
  for (const e of conjuncts) {
    const sources = sourcesOf(e);
    if (sources.size === 0) {
      // Constants (TRUE, 1 = 2, NULL): decided now.
      if (compilePredicate(e)([]) !== true) never = true;
    } else if (sources.size === 1) local[[...sources][0]!]!.push(e);
    else cross.push({ expr: e, sources, test: compilePredicate(e) });
  }
  const edges = joinEdges(cross.map(c => c.expr));
  const orders = b.sources.map(src => probeOrder(s, b, src.index, edges, cross));
  const pins = pinsOf(b, local, edges);
  const sources: SourcePlan[] = b.sources.map(src => {
    const filter = andOf(local[src.index]!);
    return {
      source: src,
      table: src.table,
      rowType: src.rowType,
      localConjuncts: local[src.index]!,
      localFilter: filter === undefined ? undefined : compilePredicate(filter),
      pin: pins[src.index],
    };
  });
  const tableIds = [...new Set(b.sources.map(x => x.table.id))];
  return { plan: { schema, statement: b, sources, returned, never, orders, tableIds }, conjuncts };
}

/**
 * Compiles a subscription query. Throws SQL_SYNTAX, SQL_UNKNOWN_NAME (also for private tables
 * when `isOwner` is false), SQL_TYPE_MISMATCH or SQL_UNSUPPORTED, each with `at line:column`.
 */
export function compileSubscription(
  schema: ModuleSchema,
  sql: string,
  options: BindOptions,
): CompiledSubscription {
  const statements = parseSql(sql);
  if (statements.length > 1)
    throw unsupportedAt(
      'a subscription is a single SELECT statement; this text has more than one',
      statements[1]!.pos,
    );
  const st = statements[0]!;
  if (st.kind !== 'Select')
    throw unsupportedAt(`subscriptions take SELECT queries, not ${st.kind.toUpperCase()}`, st.pos);
  checkShape(st, sql);
  const bound = bindStatement(st, schema, options) as BoundSelect;
  const { plan, conjuncts } = buildPlan(schema, st, bound);
  const table = bound.sources[plan.returned]!.table;
  const query: CompiledSubscription = Object.freeze({
    key: canonicalKey(bound, plan.returned, conjuncts),
    sql,
    tableId: table.id,
    tableName: table.name,
  });
  PLANS.set(query, plan);
  return query;
}
