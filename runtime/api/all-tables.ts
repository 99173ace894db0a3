/**
 * @module
 * `SELECT * FROM *`: SpacetimeDB's "subscribe to all tables" (what the SDKs'
 * `subscribeToAllTables` sends). It is not SQL our parser takes, so it is expanded here into one
 * query per table the client may read (public tables; every table for the owner), as
 * SpacetimeDB does.
 */
import type { ModuleSchema } from '../protocol/index.js';

// SpacetimeDB's own pattern (case-insensitive, surrounding whitespace allowed, nothing else).
const ALL_TABLES = /^\s*select\s+\*\s+from\s+\*\s*$/i;

export function expandAllTables(
  schema: ModuleSchema,
  sqls: readonly string[],
  isOwner: boolean,
): readonly string[] {
  if (!sqls.some(sql => ALL_TABLES.test(sql))) return sqls;
  const quoted = (name: string): string => `SELECT * FROM "${name.replaceAll('"', '""')}"`;
  const readable = schema.tables.filter(t => isOwner || t.isPublic).map(t => quoted(t.name));
  return sqls.flatMap(sql => (ALL_TABLES.test(sql) ? readable : [sql]));
}
