/**
 * @module
 * Automatic migrations: decides whether a new module can take over a database's data and, if
 * so, what has to change in storage. Safe changes: new tables; dropping tables that hold no
 * rows; new columns at the end of a table whose type has an obvious default (numbers 0, false,
 * "", empty bytes/arrays, None, zero identities and timestamps); new or removed non-unique
 * indexes; changed reducers; public/private access. Everything else (removing, renaming,
 * retyping or reordering columns, changing the primary key, adding unique constraints or
 * auto-increment) is refused with one reason per change.
 */
import {
  BsatnWriter,
  encodeValue,
  fixedSize,
  formatType,
  type AlgebraicType,
  type AlgebraicValue,
  type IndexSchema,
  type ModuleSchema,
} from '../protocol/index.js';

export interface TableMigration {
  readonly table: string;
  /** BSATN of the default values of the columns added at the end (empty when none). */
  readonly appendedDefaults: Uint8Array;
  /** Index names (as stored) to build and to drop. */
  readonly addIndexes: readonly string[];
  readonly dropIndexes: readonly string[];
}

export interface MigrationPlan {
  readonly problems: readonly string[];
  readonly tables: readonly TableMigration[];
  /** Tables that disappear (they hold no rows). */
  readonly droppedTables: readonly string[];
}

/** The default value of a type, or undefined when it has no obvious one. */
export function defaultValue(type: AlgebraicType): AlgebraicValue | undefined {
  switch (type.tag) {
    case 'Bool':
      return false;
    case 'String':
      return '';
    case 'Array':
      return type.elem.tag === 'U8' ? new Uint8Array(0) : [];
    case 'Sum':
      return type.variants.length === 2 && type.variants[1]!.name === 'none'
        ? { tag: 1, value: [] }
        : undefined;
    case 'Product': {
      const fields = type.elements.map(e => defaultValue(e.type));
      return fields.every(f => f !== undefined) ? (fields as AlgebraicValue[]) : undefined;
    }
    case 'Ref':
      return undefined;
    default:
      return fixedSize(type) === undefined
        ? undefined
        : type.tag.startsWith('F') || ['I8', 'U8', 'I16', 'U16', 'I32', 'U32'].includes(type.tag)
          ? 0
          : 0n;
  }
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ===
  JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const indexKey = (ix: IndexSchema) =>
  `${ix.name}|${ix.columns.join(',')}|${ix.unique}|${ix.algorithm}`;

/** Plans the move from `oldSchema` to `newSchema`; `rowCount` says how many rows a table holds. */
export function planMigration(
  oldSchema: ModuleSchema,
  newSchema: ModuleSchema,
  rowCount: (table: string) => number,
): MigrationPlan {
  const problems: string[] = [];
  const tables: TableMigration[] = [];
  const droppedTables: string[] = [];
  for (const old of oldSchema.tables) {
    const next = newSchema.tableByName(old.name);
    if (next === undefined) {
      const rows = rowCount(old.name);
      if (rows > 0) problems.push(`table ${old.name} was removed but holds ${rows} rows`);
      else droppedTables.push(old.name);
      continue;
    }
    const where = `table ${old.name}`;
    let columnsOk = true;
    old.columns.forEach((col, i) => {
      const now = next.columns[i];
      if (now === undefined) {
        problems.push(`${where}: column ${col.name} was removed`);
        columnsOk = false;
      } else if (now.name !== col.name) {
        problems.push(
          `${where}: column ${i + 1} was ${col.name}, is now ${now.name} ` +
            '(columns cannot be renamed, reordered or removed)',
        );
        columnsOk = false;
      } else if (!same(now.type, col.type)) {
        problems.push(
          `${where}: column ${col.name} changed type from ${formatType(col.type)} ` +
            `to ${formatType(now.type)}`,
        );
        columnsOk = false;
      }
    });
    const w = new BsatnWriter();
    for (const added of next.columns.slice(old.columns.length)) {
      const value = defaultValue(added.type);
      if (value === undefined) {
        problems.push(
          `${where}: new column ${added.name} of type ${formatType(added.type)} ` +
            'has no default value',
        );
        columnsOk = false;
      } else encodeValue(w, added.type, value);
    }
    if (old.primaryKey !== next.primaryKey) problems.push(`${where}: the primary key changed`);
    const oldIx = new Map(old.indexes.map(ix => [indexKey(ix), ix]));
    const newIx = new Map(next.indexes.map(ix => [indexKey(ix), ix]));
    const addIndexes: string[] = [];
    const dropIndexes: string[] = [];
    for (const [key, ix] of newIx) {
      if (oldIx.has(key)) continue;
      if (ix.unique)
        problems.push(
          `${where}: adds a unique constraint on ` +
            `${ix.columns.map(c => next.columns[c]!.name).join(', ')} ` +
            '(existing rows may violate it)',
        );
      else addIndexes.push(ix.name);
    }
    for (const [key, ix] of oldIx) {
      // Dropping an index (unique or not) is always safe.
      if (!newIx.has(key)) dropIndexes.push(ix.name);
    }
    const seqs = (s: typeof old) => s.sequences.map(q => `${q.column}:${q.increment}`).join(',');
    if (seqs(old) !== seqs(next)) problems.push(`${where}: auto-increment columns changed`);
    if (columnsOk && (w.length > 0 || addIndexes.length > 0 || dropIndexes.length > 0)) {
      tables.push({ table: old.name, appendedDefaults: w.toBytes(), addIndexes, dropIndexes });
    }
  }
  return { problems, tables, droppedTables };
}
