/**
 * @module
 * Physical plans: how a bound statement reads its rows (table scan, index point/range scan,
 * index nested-loop join, hash join, sort), and a text rendering of them for tests and for
 * debugging (`explainSql`).
 */
import type { IndexSchema, TableSchema } from '../protocol/index.js';
import type {
  BoundColumn,
  BoundConst,
  BoundExpr,
  BoundInsert,
  BoundOperand,
  BoundOrder,
  BoundSelect,
  BoundUpdate,
  BoundDelete,
} from './sql-bound.js';

/** One end of an index range over the column after the equality prefix. */
export interface RangeBound {
  readonly value: BoundConst;
  readonly inclusive: boolean;
}

/** How the rows of one source are read. */
export type AccessPath =
  | { readonly kind: 'TableScan'; readonly source: number; readonly table: TableSchema }
  | {
      readonly kind: 'IndexScan';
      readonly source: number;
      readonly table: TableSchema;
      readonly index: IndexSchema;
      /** Values the first `eq.length` index columns must equal. */
      readonly eq: readonly BoundConst[];
      /** Bounds on the next index column. */
      readonly lower: RangeBound | undefined;
      readonly upper: RangeBound | undefined;
      /** Walk the index backwards (ORDER BY … DESC). */
      readonly reverse: boolean;
    }
  /** A predicate that is never true (`WHERE false`, a comparison with NULL). */
  | { readonly kind: 'Empty'; readonly source: number; readonly table: TableSchema }
  /**
   * `d1 OR d2 OR …` where an index answers every disjunct: each branch's rows, in branch
   * order, each row once (a row is skipped when an earlier disjunct is true for it).
   */
  | {
      readonly kind: 'IndexUnion';
      readonly source: number;
      readonly table: TableSchema;
      readonly branches: readonly UnionBranch[];
    };

/** One disjunct of an `IndexUnion`. */
export interface UnionBranch {
  /** How the disjunct's rows are read. */
  readonly access: IndexAccess | (AccessPath & { readonly kind: 'Empty' });
  /** The part of the disjunct the index does not answer. */
  readonly filter: BoundExpr | undefined;
  /** The whole disjunct (tested to skip rows an earlier branch produced). */
  readonly disjunct: BoundExpr;
}

/** An index point, range or ordered scan. */
export type IndexAccess = AccessPath & { readonly kind: 'IndexScan' };

/** How source `source` is joined to the rows of the sources before it. */
export type JoinStep =
  | {
      readonly kind: 'IndexJoin';
      readonly source: number;
      readonly table: TableSchema;
      readonly index: IndexSchema;
      /** For each leading index column: the outer column (or constant) it must equal. */
      readonly keys: readonly BoundOperand[];
      /** Checked on each joined tuple. */
      readonly filter: BoundExpr | undefined;
    }
  | {
      readonly kind: 'HashJoin';
      readonly source: number;
      /** How the build side (this source) is read, and filtered before hashing. */
      readonly access: AccessPath;
      readonly accessFilter: BoundExpr | undefined;
      /** Columns of this source and of earlier sources that must be equal, pairwise. */
      readonly buildKeys: readonly BoundColumn[];
      readonly probeKeys: readonly BoundColumn[];
      readonly filter: BoundExpr | undefined;
    }
  | {
      readonly kind: 'NestedLoopJoin';
      readonly source: number;
      readonly access: AccessPath;
      readonly accessFilter: BoundExpr | undefined;
      readonly filter: BoundExpr | undefined;
    };

export interface SelectPlan {
  readonly kind: 'SelectPlan';
  readonly statement: BoundSelect;
  readonly root: AccessPath;
  readonly rootFilter: BoundExpr | undefined;
  readonly joins: readonly JoinStep[];
  /** Keys to sort by; empty when the rows already arrive in ORDER BY order (or none is asked). */
  readonly sort: readonly BoundOrder[];
  /** True when ORDER BY is answered by the order of an index scan. */
  readonly orderFromIndex: boolean;
}

/** A single-table read for UPDATE and DELETE. */
export interface DmlPlan<S extends BoundUpdate | BoundDelete> {
  readonly kind: 'UpdatePlan' | 'DeletePlan';
  readonly statement: S;
  readonly access: AccessPath;
  readonly filter: BoundExpr | undefined;
}

export type StatementPlan =
  | SelectPlan
  | { readonly kind: 'InsertPlan'; readonly statement: BoundInsert }
  | (DmlPlan<BoundUpdate> & { readonly kind: 'UpdatePlan' })
  | (DmlPlan<BoundDelete> & { readonly kind: 'DeletePlan' });

function operandText(o: BoundOperand): string {
  return o.kind === 'Column' ? o.label : o.text;
}

/** A predicate as SQL-like text. */
export function exprText(e: BoundExpr): string {
  switch (e.kind) {
    case 'Compare':
      return `${operandText(e.left)} ${e.op} ${operandText(e.right)}`;
    case 'And':
    case 'Or':
      return e.terms
        .map(t => (t.kind === 'And' || t.kind === 'Or' ? `(${exprText(t)})` : exprText(t)))
        .join(` ${e.kind.toUpperCase()} `);
    case 'Not':
      return `NOT (${exprText(e.expr)})`;
    case 'IsNull':
      return `${e.column.label} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'BoolColumn':
      return e.column.label;
    case 'Truth':
      return e.value === null ? 'NULL' : String(e.value);
  }
}

function accessText(a: AccessPath, alias: string): string {
  switch (a.kind) {
    case 'IndexUnion': {
      const branches = a.branches.map(b => {
        const filter = b.filter !== undefined ? ` FILTER ${exprText(b.filter)}` : '';
        return `[${accessText(b.access, alias)}${filter}]`;
      });
      return `IndexUnion ${a.table.name} AS ${alias} OF ${branches.join(' + ')}`;
    }
    case 'TableScan':
      return `TableScan ${a.table.name} AS ${alias}`;
    case 'Empty':
      return `Empty ${a.table.name} AS ${alias}`;
    case 'IndexScan': {
      const cols = a.index.columns.map(c => a.table.columns[c]!.name);
      const conds = a.eq.map((v, i) => `${cols[i]} = ${v.text}`);
      const col = cols[a.eq.length];
      if (a.lower !== undefined)
        conds.push(`${col} ${a.lower.inclusive ? '>=' : '>'} ${a.lower.value.text}`);
      if (a.upper !== undefined)
        conds.push(`${col} ${a.upper.inclusive ? '<=' : '<'} ${a.upper.value.text}`);
      const point = a.eq.length === a.index.columns.length;
      const kind = point
        ? a.index.unique
          ? 'IndexPoint(unique)'
          : 'IndexPoint'
        : conds.length === 0
          ? 'IndexOrderScan'
          : 'IndexRange';
      const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
      return (
        `${kind} ${a.table.name} AS ${alias} USING ${a.index.name}(${cols.join(', ')})` +
        `${where}${a.reverse ? ' REVERSE' : ''}`
      );
    }
  }
}

/** The plan as indented text, outermost operator first (an EXPLAIN). */
export function explainPlan(plan: StatementPlan): string {
  const lines: string[] = [];
  const add = (depth: number, text: string): void => void lines.push('  '.repeat(depth) + text);
  if (plan.kind === 'InsertPlan') {
    add(0, `Insert ${plan.statement.rows.length} row(s) INTO ${plan.statement.source.table.name}`);
    return lines.join('\n');
  }
  if (plan.kind === 'UpdatePlan' || plan.kind === 'DeletePlan') {
    add(
      0,
      plan.kind === 'UpdatePlan'
        ? `Update ${plan.statement.source.table.name}`
        : `Delete FROM ${plan.statement.source.table.name}`,
    );
    if (plan.filter !== undefined) add(1, `Filter ${exprText(plan.filter)}`);
    add(plan.filter === undefined ? 1 : 2, accessText(plan.access, plan.statement.source.alias));
    return lines.join('\n');
  }
  const s = plan.statement;
  let depth = 0;
  if (s.projection.kind === 'Count') add(depth++, `Count AS ${s.projection.alias}`);
  else add(depth++, `Project ${s.projection.columns.map(c => c.label).join(', ')}`);
  if (s.limit !== undefined || s.offset !== undefined)
    add(depth++, `Limit ${s.limit ?? 'ALL'}${s.offset !== undefined ? ` OFFSET ${s.offset}` : ''}`);
  if (plan.sort.length > 0)
    add(
      depth++,
      `Sort ${plan.sort.map(o => `${o.column.label}${o.descending ? ' DESC' : ''}`).join(', ')}`,
    );
  for (let i = plan.joins.length - 1; i >= 0; i--) {
    const j = plan.joins[i]!;
    const alias = s.sources[j.source]!.alias;
    if (j.filter !== undefined) add(depth++, `Filter ${exprText(j.filter)}`);
    if (j.kind === 'IndexJoin') {
      const cols = j.index.columns.map(c => j.table.columns[c]!.name);
      const on = j.keys.map((k, n) => `${alias}.${cols[n]} = ${operandText(k)}`).join(' AND ');
      add(depth++, `IndexJoin ${j.table.name} AS ${alias} USING ${j.index.name} ON ${on}`);
    } else {
      const on =
        j.kind === 'HashJoin'
          ? ' ON ' +
            j.buildKeys.map((b, n) => `${b.label} = ${j.probeKeys[n]!.label}`).join(' AND ')
          : '';
      add(depth, `${j.kind} ${s.sources[j.source]!.table.name} AS ${alias}${on}`);
      add(
        depth + 1,
        accessText(j.access, alias) +
          (j.accessFilter !== undefined ? ` FILTER ${exprText(j.accessFilter)}` : ''),
      );
      depth++;
    }
  }
  if (plan.rootFilter !== undefined) add(depth++, `Filter ${exprText(plan.rootFilter)}`);
  add(depth, accessText(plan.root, s.sources[0]!.alias));
  return lines.join('\n');
}
