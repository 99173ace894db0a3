/**
 * @module
 * Validates a RawModuleDefV9 and resolves it into the numbered `ModuleSchema` the server uses.
 * Every problem is reported at once (`MODULE_INVALID`, `details.problems`), so a module author
 * fixes them in one go.
 */
import { WasmbaseError } from './error.js';
import type { RawModuleDefV9, RawTableDefV9 } from './module-def.js';
import type {
  ColumnSchema,
  IndexSchema,
  ModuleSchema,
  ReducerSchema,
  SequenceSchema,
  TableSchema,
} from './module-schema.js';
import { resolveSchedules } from './module-schedule-resolve.js';
import type { AlgebraicType, ProductType } from './sats.js';
import { Problems } from './sats-type-json.js';

export const SCHEMA_LIMITS = {
  tables: 256,
  columns: 255,
  reducers: 1024,
  indexesPerTable: 32,
  nameLength: 64,
} as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const INT_BOUNDS: Readonly<Record<string, readonly [bigint, bigint]>> = {
  I8: [-(2n ** 7n), 2n ** 7n - 1n],
  U8: [0n, 2n ** 8n - 1n],
  I16: [-(2n ** 15n), 2n ** 15n - 1n],
  U16: [0n, 2n ** 16n - 1n],
  I32: [-(2n ** 31n), 2n ** 31n - 1n],
  U32: [0n, 2n ** 32n - 1n],
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  U64: [0n, 2n ** 64n - 1n],
  I128: [-(2n ** 127n), 2n ** 127n - 1n],
  U128: [0n, 2n ** 128n - 1n],
};

function checkName(name: string, what: string, problems: Problems): void {
  if (!IDENTIFIER.test(name))
    problems.add(
      what,
      `"${name}" is not a valid identifier (letters, digits, _; not starting with a digit)`,
    );
  else if (name.length > SCHEMA_LIMITS.nameLength)
    problems.add(what, `"${name}" is longer than ${SCHEMA_LIMITS.nameLength} characters`);
}

/** Inlines every `Ref`; reports unknown and cyclic references. */
function resolveType(
  type: AlgebraicType,
  typespace: readonly AlgebraicType[],
  path: string,
  problems: Problems,
  seen: readonly number[] = [],
): AlgebraicType | undefined {
  switch (type.tag) {
    case 'Ref': {
      const target = typespace[type.ref];
      if (target === undefined) {
        problems.add(
          path,
          `type reference ${type.ref} does not exist (typespace has ${typespace.length} types)`,
        );
        return undefined;
      }
      if (seen.includes(type.ref)) {
        problems.add(path, `type reference ${type.ref} is recursive`);
        return undefined;
      }
      return resolveType(target, typespace, path, problems, [...seen, type.ref]);
    }
    case 'Array': {
      const elem = resolveType(type.elem, typespace, path, problems, seen);
      return elem === undefined ? undefined : { tag: 'Array', elem };
    }
    case 'Product':
    case 'Sum': {
      const list = type.tag === 'Product' ? type.elements : type.variants;
      const out = [];
      for (const el of list) {
        const t = resolveType(el.type, typespace, path, problems, seen);
        if (t === undefined) return undefined;
        out.push({ name: el.name, type: t });
      }
      return type.tag === 'Product'
        ? { tag: 'Product', elements: out }
        : { tag: 'Sum', variants: out };
    }
    default:
      return type;
  }
}

function sameColumns(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** The table's row type, which must resolve to a product. */
function resolveRowType(
  def: RawModuleDefV9,
  table: RawTableDefV9,
  path: string,
  problems: Problems,
): ProductType | undefined {
  const raw = def.typespace[table.productTypeRef];
  if (raw === undefined) {
    problems.add(`${path}.product_type_ref`, `type ${table.productTypeRef} does not exist`);
    return undefined;
  }
  const rowType = resolveType(raw, def.typespace, `${path} row type`, problems);
  if (rowType === undefined) return undefined;
  if (rowType.tag !== 'Product') {
    problems.add(
      `${path}.product_type_ref`,
      `the row type must be a Product, found ${rowType.tag}`,
    );
    return undefined;
  }
  return { elements: rowType.elements };
}

function resolveColumns(rowType: ProductType, path: string, problems: Problems): ColumnSchema[] {
  if (rowType.elements.length > SCHEMA_LIMITS.columns)
    problems.add(
      path,
      `has ${rowType.elements.length} columns; the limit is ${SCHEMA_LIMITS.columns}`,
    );
  const columns: ColumnSchema[] = [];
  const columnNames = new Set<string>();
  rowType.elements.forEach((el, i) => {
    if (el.name === undefined) problems.add(`${path}.columns[${i}]`, 'every column needs a name');
    else {
      checkName(el.name, `${path}.columns[${i}]`, problems);
      if (columnNames.has(el.name))
        problems.add(`${path}.columns[${i}]`, `duplicate column name "${el.name}"`);
      columnNames.add(el.name);
    }
    columns.push({ id: i, name: el.name ?? `col_${i}`, type: el.type });
  });
  return columns;
}

/** What resolving one table's parts needs: where it is, its columns, the problem list. */
interface TableContext {
  readonly table: RawTableDefV9;
  readonly tableId: number;
  readonly path: string;
  readonly columns: readonly ColumnSchema[];
  readonly problems: Problems;
  /** True when column `c` exists; otherwise records a problem at `at`. */
  colOk(c: number, at: string): boolean;
}

function resolveIndexes(ctx: TableContext, firstIndexId: number): IndexSchema[] {
  const { table, path, columns, problems } = ctx;
  if (table.indexes.length > SCHEMA_LIMITS.indexesPerTable)
    problems.add(
      path,
      `has ${table.indexes.length} indexes; the limit is ${SCHEMA_LIMITS.indexesPerTable}`,
    );
  return table.indexes.map((ix, i) => {
    const cols = ix.algorithm.kind === 'Direct' ? [ix.algorithm.column] : [...ix.algorithm.columns];
    const at = `${path}.indexes[${i}]`;
    if (cols.length === 0) problems.add(at, 'an index needs at least one column');
    cols.forEach(c => ctx.colOk(c, at));
    const name =
      ix.name ??
      `${table.name}_${cols.map(c => columns[c]?.name ?? c).join('_')}` +
        `_idx_${ix.algorithm.kind.toLowerCase()}`;
    const unique = table.constraints.some(con => sameColumns(con.columns, cols));
    return {
      id: firstIndexId + i,
      tableId: ctx.tableId,
      name,
      columns: cols,
      unique,
      algorithm: ix.algorithm.kind,
    };
  });
}

function checkConstraints(ctx: TableContext, indexes: readonly IndexSchema[]): void {
  ctx.table.constraints.forEach((con, i) => {
    const at = `${ctx.path}.constraints[${i}]`;
    con.columns.forEach(c => ctx.colOk(c, at));
    if (!indexes.some(ix => sameColumns(ix.columns, con.columns))) {
      ctx.problems.add(
        at,
        `unique constraint on columns [${con.columns.join(', ')}] ` +
          'has no index over exactly those columns',
      );
    }
  });
}

function resolvePrimaryKey(ctx: TableContext): number | undefined {
  const { table, path, problems } = ctx;
  if (table.primaryKey.length > 1) {
    problems.add(`${path}.primary_key`, 'a primary key has at most one column');
    return undefined;
  }
  if (table.primaryKey.length === 0) return undefined;
  const pk = table.primaryKey[0]!;
  if (!ctx.colOk(pk, `${path}.primary_key`)) return undefined;
  if (!table.constraints.some(con => sameColumns(con.columns, [pk])))
    problems.add(
      `${path}.primary_key`,
      `primary key column "${ctx.columns[pk]!.name}" needs a unique constraint`,
    );
  return pk;
}

function resolveSequence(
  ctx: TableContext,
  seq: RawTableDefV9['sequences'][number],
  at: string,
): SequenceSchema | undefined {
  const { problems } = ctx;
  if (!ctx.colOk(seq.column, at)) return undefined;
  const col = ctx.columns[seq.column]!;
  const bounds = INT_BOUNDS[col.type.tag];
  if (bounds === undefined) {
    problems.add(
      at,
      `auto-increment column "${col.name}" must be an integer up to 128 bits, ` +
        `found ${col.type.tag}`,
    );
    return undefined;
  }
  if (seq.increment === 0n) problems.add(at, 'sequence increment must not be 0');
  const minValue = seq.minValue ?? (bounds[0] > 1n ? bounds[0] : 1n);
  const maxValue = seq.maxValue ?? bounds[1];
  const start = seq.start ?? (seq.increment > 0n ? minValue : maxValue);
  if (minValue > maxValue || start < minValue || start > maxValue)
    problems.add(
      at,
      `sequence bounds are inconsistent (start ${start}, min ${minValue}, max ${maxValue})`,
    );
  if (minValue < bounds[0] || maxValue > bounds[1])
    problems.add(at, `sequence bounds exceed the range of ${col.type.tag}`);
  return {
    tableId: ctx.tableId,
    column: seq.column,
    name: seq.name ?? `${ctx.table.name}_${col.name}_seq`,
    start,
    minValue,
    maxValue,
    increment: seq.increment,
  };
}

function resolveTable(
  def: RawModuleDefV9,
  table: RawTableDefV9,
  tableId: number,
  firstIndexId: number,
  problems: Problems,
): TableSchema | undefined {
  const path = `tables[${tableId}] "${table.name}"`;
  checkName(table.name, `${path}.name`, problems);
  const rowType = resolveRowType(def, table, path, problems);
  if (rowType === undefined) return undefined;
  const columns = resolveColumns(rowType, path, problems);
  const ctx: TableContext = {
    table,
    tableId,
    path,
    columns,
    problems,
    colOk(c, at) {
      if (c < columns.length) return true;
      problems.add(at, `column ${c} does not exist (the table has ${columns.length} columns)`);
      return false;
    },
  };
  const indexes = resolveIndexes(ctx, firstIndexId);
  checkConstraints(ctx, indexes);
  const primaryKey = resolvePrimaryKey(ctx);
  const primaryIndex =
    primaryKey === undefined
      ? undefined
      : indexes.find(ix => ix.unique && sameColumns(ix.columns, [primaryKey]));
  const sequences: SequenceSchema[] = [];
  table.sequences.forEach((seq, i) => {
    const resolved = resolveSequence(ctx, seq, `${path}.sequences[${i}]`);
    if (resolved !== undefined) sequences.push(resolved);
  });
  return {
    id: tableId,
    name: table.name,
    rowType,
    columns,
    primaryKey,
    primaryIndex,
    indexes,
    sequences,
    isPublic: table.tableAccess === 'Public',
  };
}

function resolveReducer(
  def: RawModuleDefV9,
  r: RawModuleDefV9['reducers'][number],
  i: number,
  seen: { readonly names: Set<string>; readonly lifecycles: Set<string> },
  problems: Problems,
): ReducerSchema | undefined {
  const path = `reducers[${i}] "${r.name}"`;
  checkName(r.name, `${path}.name`, problems);
  if (seen.names.has(r.name)) problems.add(path, `duplicate reducer name "${r.name}"`);
  seen.names.add(r.name);
  if (r.lifecycle !== undefined) {
    if (seen.lifecycles.has(r.lifecycle))
      problems.add(path, `more than one ${r.lifecycle} reducer`);
    seen.lifecycles.add(r.lifecycle);
    if (r.params.elements.length > 0)
      problems.add(path, `lifecycle reducer (${r.lifecycle}) must take no arguments`);
  }
  const params = resolveType(
    { tag: 'Product', elements: r.params.elements },
    def.typespace,
    `${path}.params`,
    problems,
  );
  const names = new Set<string>();
  r.params.elements.forEach((p, j) => {
    if (p.name === undefined) return;
    checkName(p.name, `${path}.params[${j}]`, problems);
    if (names.has(p.name))
      problems.add(`${path}.params[${j}]`, `duplicate parameter name "${p.name}"`);
    names.add(p.name);
  });
  if (params === undefined || params.tag !== 'Product') return undefined;
  return {
    id: i,
    name: r.name,
    params: { elements: params.elements } satisfies ProductType,
    lifecycle: r.lifecycle,
  };
}

function resolveTables(def: RawModuleDefV9, problems: Problems): TableSchema[] {
  const tables: TableSchema[] = [];
  const tableNames = new Set<string>();
  let nextIndexId = 0;
  def.tables.forEach((table, i) => {
    if (tableNames.has(table.name))
      problems.add(`tables[${i}]`, `duplicate table name "${table.name}"`);
    tableNames.add(table.name);
    const resolved = resolveTable(def, table, i, nextIndexId, problems);
    nextIndexId += table.indexes.length;
    if (resolved !== undefined) tables.push(resolved);
  });
  return tables;
}

/** Validates `def` and numbers its tables, indexes and reducers. Throws MODULE_INVALID. */
export function resolveModuleSchema(def: RawModuleDefV9): ModuleSchema {
  const problems = new Problems();
  if (def.tables.length > SCHEMA_LIMITS.tables)
    problems.add('tables', `${def.tables.length} tables; the limit is ${SCHEMA_LIMITS.tables}`);
  if (def.reducers.length > SCHEMA_LIMITS.reducers)
    problems.add(
      'reducers',
      `${def.reducers.length} reducers; the limit is ${SCHEMA_LIMITS.reducers}`,
    );
  const tables = resolveTables(def, problems);
  const indexes = tables.flatMap(t => t.indexes);
  const indexNames = new Set<string>();
  for (const ix of indexes) {
    if (indexNames.has(ix.name)) problems.add(`index "${ix.name}"`, 'duplicate index name');
    indexNames.add(ix.name);
  }
  const reducers: ReducerSchema[] = [];
  const seen = { names: new Set<string>(), lifecycles: new Set<string>() };
  def.reducers.forEach((r, i) => {
    const resolved = resolveReducer(def, r, i, seen, problems);
    if (resolved !== undefined) reducers.push(resolved);
  });
  const byReducer = new Map(reducers.map(r => [r.name, r]));
  const schedules = resolveSchedules(def, tables, name => byReducer.get(name), problems);
  if (problems.list.length > 0) {
    throw new WasmbaseError(
      'MODULE_INVALID',
      `invalid module schema: ${problems.list.join('; ')}`,
      { problems: problems.list },
    );
  }
  const byTable = new Map(tables.map(t => [t.name, t]));
  const bySchedule = new Map(schedules.map(s => [s.reducerId, s]));
  return {
    def,
    tables,
    indexes,
    reducers,
    schedules,
    tableByName: name => byTable.get(name),
    reducerByName: name => byReducer.get(name),
    scheduleOfReducer: id => bySchedule.get(id),
  };
}
