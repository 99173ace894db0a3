/**
 * The `/sql` body built row by row (`JSON_ROWS`, `sqlResultsBody`) is byte for byte the
 * `JSON.stringify` of the whole result, also when the result spans many 64 KiB parts, has
 * multi-byte text, and was read in slices much smaller than it (`runSqlEncoded` with a small
 * `slice`, yielding to the event loop between slices); and the byte limit counts the rows' UTF-8
 * bytes exactly.
 */
import { describe, expect, it } from 'vitest';
import { runSql, runSqlEncoded, type EncodedStatementResult } from '../../runtime/api/index.js';
import { JSON_ROWS, sqlResultsBody } from '../../runtime/http/sql-json.js';
import {
  productTypeToJson,
  valueToJson,
  WasmbaseError,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import type { SqlStatementResult } from '../../runtime/sql/index.js';
import { BACKENDS, DATA, OWNER, schema } from '../sql/sql-fixtures.js';

const owner = { identity: OWNER, isOwner: true };
const MANY = 1500;
/** ~30 bytes of UTF-8 per name, 2- to 4-byte characters among them. */
const nameOf = (i: number) => `pérson-${i}-ünïcødé-✓-😀`;
const many: Record<string, AlgebraicValue[][]> = {
  ...DATA,
  person: Array.from({ length: MANY }, (_, i) => [0, nameOf(i), i % 200, 'wrocław', none()]),
};
function none(): AlgebraicValue {
  return { tag: 1, value: [] };
}

/** The reference: the whole result as one value, stringified at once (the old body). */
function reference(results: readonly SqlStatementResult[]): string {
  return JSON.stringify(
    results.map(r => {
      const rowType = { tag: 'Product', elements: r.schema.elements } as const;
      return {
        schema: productTypeToJson(r.schema),
        rows: r.rows.map(row => valueToJson(rowType, row)),
        total_duration_micros: r.totalDurationMicros,
        stats: {
          rows_inserted: r.stats.rowsInserted,
          rows_deleted: r.stats.rowsDeleted,
          rows_updated: r.stats.rowsUpdated,
        },
      };
    }),
  );
}

/** `encoded` with the durations of `values` (the two ran at different times). */
function sameTimes(
  encoded: readonly EncodedStatementResult<Uint8Array[]>[],
  values: readonly SqlStatementResult[],
): EncodedStatementResult<Uint8Array[]>[] {
  return encoded.map((r, i) => ({ ...r, totalDurationMicros: values[i]!.totalDurationMicros }));
}

const SQL = 'SELECT * FROM person; SELECT id, name FROM person WHERE age < 7; SELECT * FROM pet';
const TINY_SLICE = { rows: 7, bytes: 1 << 30, millis: 1e9 };

describe.each(BACKENDS)('the /sql body ($name)', backend => {
  it('is byte-identical to stringifying the whole result, read in slices', async () => {
    const db = await backend.open(schema, many);
    const values = await runSql(db.handle, SQL, owner, { rowLimit: 100_000 });
    const options = { rowLimit: 100_000, slice: TINY_SLICE };
    const encoded = await runSqlEncoded(db.handle, SQL, owner, options, JSON_ROWS);
    expect(values[0]!.rows.length).toBe(MANY);
    // Many parts: the rows of the first statement alone are several 64 KiB buffers.
    expect(encoded[0]!.rows.length).toBeGreaterThan(1);
    const body = sqlResultsBody(sameTimes(encoded, values));
    expect(body.equals(Buffer.from(reference(values), 'utf8'))).toBe(true);
  });

  it('counts the rows’ UTF-8 bytes: passes at the exact size, fails one byte under', async () => {
    const db = await backend.open(schema, many);
    const sql = 'SELECT * FROM person';
    const [result] = await runSql(db.handle, sql, owner, { rowLimit: 100_000 });
    const rowType = { tag: 'Product', elements: result!.schema.elements } as const;
    const exact = Buffer.byteLength(
      JSON.stringify(result!.rows.map(r => valueToJson(rowType, r))).slice(1, -1),
    );
    const limit = (maxBytes: number) => ({
      rowLimit: 100_000,
      limit: { maxBytes, flag: 'sql-max-result-bytes', what: 'the JSON of the result rows' },
      slice: TINY_SLICE,
    });
    const ok = await runSqlEncoded(db.handle, sql, owner, limit(exact), JSON_ROWS);
    expect(Buffer.concat(ok[0]!.rows).length).toBe(exact);
    const err = await runSqlEncoded(db.handle, sql, owner, limit(exact - 1), JSON_ROWS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WasmbaseError);
    expect((err as WasmbaseError).code).toBe('RESULT_TOO_LARGE');
    expect((err as WasmbaseError).status).toBe(413);
    expect((err as WasmbaseError).message).toContain('--sql-max-result-bytes');
  });
});
