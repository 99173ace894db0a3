/**
 * @module
 * The JSON body of the `/sql` route: one object per statement, `{schema, rows,
 * total_duration_micros, stats}`, with the schema as a SATS-JSON ProductType and each row as an
 * array of SATS-JSON values (SpacetimeDB's format).
 *
 * The body is built as the rows come (`JSON_ROWS` is the `SqlRowEncoder` of `runSqlEncoded`):
 * each row is stringified on its own and gathered into buffers of about 64 KiB, so no single
 * string holds the whole result (V8 caps a string near 512 MiB) and the byte limit counts each
 * row's UTF-8 bytes (and the comma before it) as it is made. The bytes are exactly those of
 * `JSON.stringify` over the whole result.
 */
import type { EncodedStatementResult, SqlRowEncoder } from '../api/index.js';
import { productTypeToJson, valueToJson } from '../protocol/index.js';
import type { SqlStatementResult } from '../sql/index.js';

/** Pending row text is turned into a buffer once it is this long (UTF-16 units). */
const PART_CHARS = 64 * 1024;

/** One statement's rows as JSON text `row,row,…`, in parts. */
export const JSON_ROWS: SqlRowEncoder<Uint8Array[]> = schema => {
  const rowType = { tag: 'Product', elements: schema.elements } as const;
  const parts: Uint8Array[] = [];
  let pending = '';
  let first = true;
  const flush = (): void => {
    if (pending.length > 0) parts.push(Buffer.from(pending, 'utf8'));
    pending = '';
  };
  return {
    row(values) {
      const text = JSON.stringify(valueToJson(rowType, values));
      const piece = first ? text : ',' + text;
      first = false;
      pending += piece;
      if (pending.length >= PART_CHARS) flush();
      return Buffer.byteLength(piece, 'utf8');
    },
    done() {
      flush();
      return parts;
    },
  };
};

/** The whole response body of `results`, as one buffer. */
export function sqlResultsBody(results: readonly EncodedStatementResult<Uint8Array[]>[]): Buffer {
  const chunks: Uint8Array[] = [Buffer.from('[')];
  results.forEach((r, i) => {
    const { rowsInserted, rowsDeleted, rowsUpdated } = r.stats;
    const head = JSON.stringify({ schema: productTypeToJson(r.schema) }).slice(0, -1);
    const tail = JSON.stringify({
      total_duration_micros: r.totalDurationMicros,
      stats: { rows_inserted: rowsInserted, rows_deleted: rowsDeleted, rows_updated: rowsUpdated },
    }).slice(1);
    chunks.push(Buffer.from(`${i === 0 ? '' : ','}${head},"rows":[`));
    chunks.push(...r.rows);
    chunks.push(Buffer.from(`],${tail}`));
  });
  chunks.push(Buffer.from(']'));
  return Buffer.concat(chunks);
}

/** Results with rows as values, as the JSON value of the body (tests, tools). */
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
