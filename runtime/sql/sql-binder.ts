/**
 * @module
 * The binder: resolves the names of a parsed statement against a module schema and converts
 * literals to the types of the columns they meet. Private tables are invisible to callers who
 * do not own the database: they get exactly the message a missing table gets.
 */
import type {
  AlgebraicType,
  AlgebraicValue,
  ModuleSchema,
  ProductElement,
  TableSchema,
} from '../protocol/index.js';
import { formatType } from '../protocol/index.js';
import type {
  ColumnRef,
  Delete,
  Expr,
  Insert,
  Literal,
  Select,
  Statement,
  TableRef,
  Update,
} from './sql-ast.js';
import type {
  BoundColumn,
  BoundExpr,
  BoundInsert,
  BoundOperand,
  BoundOrder,
  BoundSelect,
  BoundSource,
  BoundStatement,
  BoundUpdate,
  BoundDelete,
} from './sql-bound.js';
import {
  compareStrings,
  exactInteger,
  literalToValue,
  NONE,
  optionInner,
  sameType,
  sqlErrorAt,
} from './sql-values.js';

/** Who is asking: owners see private tables. */
export interface BindOptions {
  readonly isOwner: boolean;
}

function resolveTable(ref: TableRef, schema: ModuleSchema, options: BindOptions): TableSchema {
  const table = schema.tableByName(ref.table);
  if (table === undefined || (!table.isPublic && !options.isOwner)) {
    throw sqlErrorAt(
      'SQL_UNKNOWN_NAME',
      `no such table "${ref.table}" (if it exists, it may be private)`,
      ref.pos,
    );
  }
  return table;
}

function makeSource(index: number, ref: TableRef, table: TableSchema): BoundSource {
  return {
    index,
    alias: ref.alias ?? ref.table,
    table,
    rowType: { tag: 'Product', elements: table.rowType.elements },
  };
}

function columnOf(source: BoundSource, id: number): BoundColumn {
  const col = source.table.columns[id]!;
  return {
    kind: 'Column',
    source: source.index,
    column: id,
    type: col.type,
    label: `${source.alias}.${col.name}`,
  };
}

/** The names in scope of one statement. */
class Scope {
  constructor(readonly sources: readonly BoundSource[]) {}

  source(alias: string, ref: { pos: ColumnRef['pos'] }): BoundSource {
    const s = this.sources.find(x => x.alias === alias);
    if (s === undefined)
      throw sqlErrorAt('SQL_UNKNOWN_NAME', `no table or alias "${alias}" in this query`, ref.pos);
    return s;
  }

  /** The column `ref` names, or undefined when `optional` and no table has it. */
  column(ref: ColumnRef, optional = false): BoundColumn | undefined {
    if (ref.table !== undefined) {
      const s = this.source(ref.table, ref);
      const id = s.table.columns.findIndex(c => c.name === ref.name);
      if (id < 0)
        throw sqlErrorAt(
          'SQL_UNKNOWN_NAME',
          `table "${s.table.name}" has no column "${ref.name}"`,
          ref.pos,
        );
      return columnOf(s, id);
    }
    const found: BoundColumn[] = [];
    for (const s of this.sources) {
      const id = s.table.columns.findIndex(c => c.name === ref.name);
      if (id >= 0) found.push(columnOf(s, id));
    }
    if (found.length > 1) {
      throw sqlErrorAt(
        'SQL_UNKNOWN_NAME',
        `column "${ref.name}" is ambiguous: qualify it (${found.map(c => c.label).join(' or ')})`,
        ref.pos,
      );
    }
    if (found.length === 0) {
      if (optional) return undefined;
      throw sqlErrorAt(
        'SQL_UNKNOWN_NAME',
        `no column "${ref.name}" in ${this.sources.map(s => `"${s.table.name}"`).join(', ')}`,
        ref.pos,
      );
    }
    return found[0]!;
  }

  requireColumn(ref: ColumnRef): BoundColumn {
    return this.column(ref)!;
  }
}

/** Compares two literals at bind time (`1 = 1`, `'a' < 'b'`). */
function compareLiterals(a: Literal, b: Literal): number | null {
  if (a.type === 'null' || b.type === 'null') return null;
  const numeric = (l: Literal): boolean => l.type === 'integer' || l.type === 'float';
  if (numeric(a) && numeric(b)) {
    const x = exactInteger(a.text);
    const y = exactInteger(b.text);
    if (x !== undefined && y !== undefined) return x === y ? 0 : x < y ? -1 : 1;
    const p = Number(a.text);
    const q = Number(b.text);
    return p === q ? 0 : p < q ? -1 : 1;
  }
  if (a.type !== b.type)
    throw sqlErrorAt(
      'SQL_TYPE_MISMATCH',
      `cannot compare a ${a.type} literal with a ${b.type} literal`,
      b.pos,
    );
  if (a.type === 'hex') {
    const x = a.text.replace(/^(00)+/, '');
    const y = b.text.replace(/^(00)+/, '');
    return x.length !== y.length ? (x.length < y.length ? -1 : 1) : compareStrings(x, y);
  }
  if (a.type === 'bool') return a.text === b.text ? 0 : a.text === 'false' ? -1 : 1;
  return compareStrings(a.text, b.text);
}

function truthOf(op: string, c: number | null): boolean | null {
  if (c === null) return null;
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

const FLIP = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

function bindExpr(expr: Expr, scope: Scope): BoundExpr {
  switch (expr.kind) {
    case 'And':
    case 'Or': {
      const left = bindExpr(expr.left, scope);
      const right = bindExpr(expr.right, scope);
      const terms = [
        ...(left.kind === expr.kind ? left.terms : [left]),
        ...(right.kind === expr.kind ? right.terms : [right]),
      ];
      return { kind: expr.kind, terms };
    }
    case 'Not':
      return { kind: 'Not', expr: bindExpr(expr.expr, scope) };
    case 'IsNull': {
      const inner = expr.expr;
      if (inner.kind === 'Literal')
        return { kind: 'Truth', value: (inner.type === 'null') !== expr.negated };
      if (inner.kind !== 'Column')
        throw sqlErrorAt('SQL_UNSUPPORTED', 'IS NULL applies to a column or a literal', expr.pos);
      const column = scope.requireColumn(inner);
      if (optionInner(column.type) === undefined) return { kind: 'Truth', value: expr.negated };
      return { kind: 'IsNull', column, negated: expr.negated };
    }
    case 'Column': {
      const column = scope.requireColumn(expr);
      const t = optionInner(column.type) ?? column.type;
      if (t.tag !== 'Bool')
        throw sqlErrorAt(
          'SQL_TYPE_MISMATCH',
          `${column.label} is ${formatType(column.type)}, not a condition ` +
            '(compare it with something)',
          expr.pos,
        );
      return { kind: 'BoolColumn', column };
    }
    case 'Literal':
      if (expr.type === 'bool') return { kind: 'Truth', value: expr.text === 'true' };
      if (expr.type === 'null') return { kind: 'Truth', value: null };
      throw sqlErrorAt('SQL_TYPE_MISMATCH', `a ${expr.type} literal is not a condition`, expr.pos);
    case 'Compare': {
      const { left, right, op } = expr;
      const operand = (e: Expr): void => {
        if (e.kind !== 'Column' && e.kind !== 'Literal')
          throw sqlErrorAt(
            'SQL_UNSUPPORTED',
            'comparisons take a column or a literal on each side',
            expr.pos,
          );
      };
      operand(left);
      operand(right);
      if (left.kind === 'Literal' && right.kind === 'Literal')
        return { kind: 'Truth', value: truthOf(op, compareLiterals(left, right)) };
      if (left.kind === 'Column' && right.kind === 'Column') {
        const a = scope.requireColumn(left);
        const b = scope.requireColumn(right);
        const ta = optionInner(a.type) ?? a.type;
        const tb = optionInner(b.type) ?? b.type;
        if (!sameType(ta, tb)) {
          throw sqlErrorAt(
            'SQL_TYPE_MISMATCH',
            `cannot compare ${a.label} (${formatType(a.type)}) ` +
              `with ${b.label} (${formatType(b.type)})`,
            expr.pos,
          );
        }
        return { kind: 'Compare', op, left: a, right: b, type: ta };
      }
      // One column, one literal: put the column on the left.
      const [colRef, lit, cmp] =
        left.kind === 'Column'
          ? [left, right as Literal, op]
          : [right as ColumnRef, left as Literal, FLIP[op]];
      const column = scope.requireColumn(colRef);
      if (lit.type === 'null') return { kind: 'Truth', value: null };
      const t = optionInner(column.type) ?? column.type;
      const value = literalToValue(lit, t, `column ${column.label}`);
      const constant: BoundOperand = {
        kind: 'Const',
        value,
        type: t,
        text:
          lit.type === 'string'
            ? `'${lit.text.replaceAll("'", "''")}'`
            : lit.type === 'hex'
              ? `0x${lit.text}`
              : lit.text,
      };
      return { kind: 'Compare', op: cmp, left: column, right: constant, type: t };
    }
  }
}

function bindSelect(s: Select, schema: ModuleSchema, options: BindOptions): BoundSelect {
  const refs = [s.from, ...s.joins.map(j => j.table)];
  const sources: BoundSource[] = [];
  for (const ref of refs) {
    const source = makeSource(sources.length, ref, resolveTable(ref, schema, options));
    if (sources.some(x => x.alias === source.alias)) {
      throw sqlErrorAt(
        'SQL_UNKNOWN_NAME',
        `"${source.alias}" names two tables of this query: ` +
          `give one an alias (JOIN ${ref.table} AS other)`,
        ref.pos,
      );
    }
    sources.push(source);
  }
  const scope = new Scope(sources);
  const joinConditions: (BoundExpr | undefined)[] = [
    undefined,
    ...s.joins.map((j, i) => bindExpr(j.on, new Scope(sources.slice(0, i + 2)))),
  ];
  const where = s.where === undefined ? undefined : bindExpr(s.where, scope);

  const columns: BoundColumn[] = [];
  const names: string[] = [];
  let count: string | undefined;
  for (const item of s.items) {
    switch (item.kind) {
      case 'Star':
        for (const src of sources)
          src.table.columns.forEach((c, i) => (columns.push(columnOf(src, i)), names.push(c.name)));
        break;
      case 'TableStar': {
        const src = scope.source(item.table, item);
        src.table.columns.forEach((c, i) => (columns.push(columnOf(src, i)), names.push(c.name)));
        break;
      }
      case 'Column': {
        const col = scope.requireColumn(item.column);
        columns.push(col);
        names.push(item.alias ?? item.column.name);
        break;
      }
      case 'Count':
        if (s.items.length > 1)
          throw sqlErrorAt(
            'SQL_UNSUPPORTED',
            'COUNT(*) cannot be combined with other columns (there is no GROUP BY)',
            item.pos,
          );
        count = item.alias;
        break;
    }
  }
  const orderBy: BoundOrder[] = s.orderBy.map(o => {
    let column = scope.column(o.column, true);
    if (column === undefined) {
      const i = names.indexOf(o.column.name);
      if (i < 0 || count !== undefined) scope.requireColumn(o.column);
      column = columns[i]!;
    }
    return { column, descending: o.descending };
  });
  const elements: ProductElement[] =
    count !== undefined
      ? [{ name: count, type: { tag: 'U64' } }]
      : columns.map((c, i) => ({ name: names[i], type: c.type }));
  return {
    kind: 'Select',
    sources,
    joinConditions,
    where,
    projection:
      count !== undefined ? { kind: 'Count', alias: count } : { kind: 'Columns', columns },
    schema: { elements },
    orderBy,
    limit: s.limit,
    offset: s.offset,
    pos: s.pos,
  };
}

function zeroOf(type: AlgebraicType): AlgebraicValue {
  return type.tag === 'I64' ||
    type.tag === 'U64' ||
    type.tag === 'I128' ||
    type.tag === 'U128' ||
    type.tag === 'I256' ||
    type.tag === 'U256'
    ? 0n
    : 0;
}

function bindInsert(s: Insert, schema: ModuleSchema, options: BindOptions): BoundInsert {
  const table = resolveTable(s.table, schema, options);
  const source = makeSource(0, s.table, table);
  let targets: number[];
  if (s.columns === undefined) targets = table.columns.map((_, i) => i);
  else {
    targets = [];
    for (const c of s.columns) {
      const id = table.columns.findIndex(x => x.name === c.name);
      if (id < 0)
        throw sqlErrorAt(
          'SQL_UNKNOWN_NAME',
          `table "${table.name}" has no column "${c.name}"`,
          c.pos,
        );
      if (targets.includes(id))
        throw sqlErrorAt('SQL_SYNTAX', `column "${c.name}" is listed twice`, c.pos);
      targets.push(id);
    }
  }
  const autoInc = new Set(table.sequences.map(q => q.column));
  const rows = s.rows.map(values => {
    if (values.length !== targets.length) {
      throw sqlErrorAt(
        'SQL_SYNTAX',
        `${values.length} value${values.length === 1 ? '' : 's'} ` +
          `for ${targets.length} column${targets.length === 1 ? '' : 's'}`,
        values[0]!.pos,
      );
    }
    const row: AlgebraicValue[] = new Array<AlgebraicValue>(table.columns.length);
    targets.forEach(
      (id, i) =>
        (row[id] = literalToValue(
          values[i]!,
          table.columns[id]!.type,
          `column ${table.name}.${table.columns[id]!.name}`,
        )),
    );
    table.columns.forEach((c, id) => {
      if (row[id] !== undefined) return;
      if (autoInc.has(id)) row[id] = zeroOf(c.type);
      else if (optionInner(c.type) !== undefined) row[id] = NONE;
      else
        throw sqlErrorAt(
          'SQL_TYPE_MISMATCH',
          `column ${table.name}.${c.name} (${formatType(c.type)}) needs a value: ` +
            'it is neither auto-increment nor optional',
          s.table.pos,
        );
    });
    return row;
  });
  return { kind: 'Insert', source, rows, pos: s.pos };
}

function bindUpdate(s: Update, schema: ModuleSchema, options: BindOptions): BoundUpdate {
  const source = makeSource(0, s.table, resolveTable(s.table, schema, options));
  const scope = new Scope([source]);
  const set: { column: number; value: AlgebraicValue }[] = [];
  for (const a of s.set) {
    const col = scope.requireColumn(a.column);
    if (set.some(x => x.column === col.column))
      throw sqlErrorAt('SQL_SYNTAX', `column "${a.column.name}" is set twice`, a.column.pos);
    set.push({
      column: col.column,
      value: literalToValue(a.value, col.type, `column ${col.label}`),
    });
  }
  return {
    kind: 'Update',
    source,
    set,
    where: s.where === undefined ? undefined : bindExpr(s.where, scope),
    pos: s.pos,
  };
}

function bindDelete(s: Delete, schema: ModuleSchema, options: BindOptions): BoundDelete {
  const source = makeSource(0, s.table, resolveTable(s.table, schema, options));
  return {
    kind: 'Delete',
    source,
    where: s.where === undefined ? undefined : bindExpr(s.where, new Scope([source])),
    pos: s.pos,
  };
}

/**
 * Binds one statement. Throws SQL_UNKNOWN_NAME (unknown or private table, unknown or ambiguous
 * column), SQL_TYPE_MISMATCH (a literal that does not fit its column, incomparable columns) or
 * SQL_UNSUPPORTED, each with the position of the offending text.
 */
export function bindStatement(
  statement: Statement,
  schema: ModuleSchema,
  options: BindOptions,
): BoundStatement {
  switch (statement.kind) {
    case 'Select':
      return bindSelect(statement, schema, options);
    case 'Insert':
      return bindInsert(statement, schema, options);
    case 'Update':
      return bindUpdate(statement, schema, options);
    case 'Delete':
      return bindDelete(statement, schema, options);
  }
}
