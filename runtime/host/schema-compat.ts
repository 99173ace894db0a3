/**
 * @module
 * Decides whether a new module can replace an old one without touching stored data. Allowed:
 * new tables, and any change to reducers. Everything else that changes a stored table (columns,
 * keys, indexes, constraints, sequences, access) is refused with one reason per change.
 */
import { moduleDefToJson, type ModuleSchema, type TableSchema } from '../protocol/index.js';

function tableShape(schema: ModuleSchema, table: TableSchema): string {
  const json = moduleDefToJson(schema.def) as { tables: Record<string, unknown>[] };
  const raw = { ...json.tables[table.id] };
  delete raw['product_type_ref'];
  delete raw['table_access'];
  return JSON.stringify({ raw, columns: table.columns.map(c => ({ name: c.name, type: c.type })) }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Reasons the new schema cannot keep the old data (empty = compatible). */
export function incompatibilities(oldSchema: ModuleSchema, newSchema: ModuleSchema): string[] {
  const reasons: string[] = [];
  for (const table of oldSchema.tables) {
    const next = newSchema.tableByName(table.name);
    if (next === undefined) {
      reasons.push(`table ${table.name} was removed`);
      continue;
    }
    const oldCols = table.columns.map(c => c.name).join(', ');
    const newCols = next.columns.map(c => c.name).join(', ');
    if (oldCols !== newCols) reasons.push(`table ${table.name}: columns changed from (${oldCols}) to (${newCols})`);
    else if (tableShape(oldSchema, table) !== tableShape(newSchema, next)) reasons.push(`table ${table.name}: column types, keys, indexes, constraints, sequences or access changed`);
  }
  return reasons;
}
