/**
 * @module
 * The JSON body of the `/sql` route: one object per statement, `{schema, rows,
 * total_duration_micros, stats}`, with the schema as a SATS-JSON ProductType and each row as an
 * array of SATS-JSON values (SpacetimeDB's format).
 */
import { productTypeToJson, valueToJson } from '../protocol/index.js';
import type { SqlStatementResult } from '../sql/index.js';

export function sqlResultsToJson(results: readonly SqlStatementResult[]): unknown[] {
  return results.map(r => {
    const rowType = { tag: 'Product', elements: r.schema.elements } as const;
    const { rowsInserted, rowsDeleted, rowsUpdated } = r.stats;
    return {
      schema: productTypeToJson(r.schema),
      rows: r.rows.map(row => valueToJson(rowType, row)),
      total_duration_micros: r.totalDurationMicros,
      stats: { rows_inserted: rowsInserted, rows_deleted: rowsDeleted, rows_updated: rowsUpdated },
    };
  });
}
