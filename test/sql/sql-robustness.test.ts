/** Robustness: hostile and random SQL never crashes the engine and always gets a positioned error. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { compileSql, MAX_SQL_TERMS } from '../../runtime/sql/index.js';
import { DATA, memoryBackend, rowsOf, schema, type TestDb } from './sql-fixtures.js';

const SEED = Number(process.env['SQL_FUZZ_SEED'] ?? Date.now() % 1_000_000_007);
const RUNS = process.env['LONG_TESTS'] === '1' ? 20_000 : 2_000;
console.log(`sql robustness test: seed ${SEED}, ${RUNS} cases (SQL_FUZZ_SEED=${SEED} to replay)`);

/** Compiles; returns undefined on success or the error, which must be a positioned SQL error. */
function compileError(sql: string): WasmbaseError | undefined {
  try {
    compileSql(schema, sql, { isOwner: false });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    const e = err as WasmbaseError;
    expect(['SQL_SYNTAX', 'SQL_UNKNOWN_NAME', 'SQL_TYPE_MISMATCH', 'SQL_UNSUPPORTED']).toContain(
      e.code,
    );
    if (e.message !== 'the query is empty') {
      expect(e.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
      expect(e.message).toMatch(/ at \d+:\d+$/);
    }
    return e;
  }
}

describe('SQL robustness', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await memoryBackend.open(schema, DATA);
  });

  it('answers 10,000 nested parentheses with a clean positioned error', () => {
    const e = compileError(
      `SELECT * FROM person WHERE ${'('.repeat(10_000)}id = 1${')'.repeat(10_000)}`,
    );
    expect(e?.message).toMatch(/^expression nested deeper than 128 levels at 1:\d+$/);
  });

  it('answers 10,000 nested NOTs and a 100,000-term AND chain with clean errors', () => {
    expect(
      compileError(`SELECT * FROM person WHERE ${'NOT '.repeat(10_000)}id = 1`)?.message,
    ).toMatch(/nested deeper than 128 levels/);
    const chain = Array.from({ length: 100_000 }, () => 'id = 1').join(' AND ');
    expect(compileError(`SELECT * FROM person WHERE ${chain}`)?.message).toMatch(
      new RegExp(`more than ${MAX_SQL_TERMS} AND/OR operators at 1:\\d+$`),
    );
  });

  it('runs a long but allowed OR chain', async () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `id = ${i % 7}`).join(' OR ');
    expect(await rowsOf(db, `SELECT COUNT(*) AS n FROM person WHERE ${chain}`)).toEqual([[5]]);
  });

  it('treats injection-like literals as data', async () => {
    for (const text of [
      "'; DROP TABLE person; --",
      "' OR '1'='1",
      'Robert"); DELETE FROM person;--',
      '\u0000\n\r\t',
      '😀'.repeat(100),
    ]) {
      expect(
        await rowsOf(
          db,
          `SELECT COUNT(*) AS n FROM person WHERE name = '${text.replaceAll("'", "''")}'`,
        ),
      ).toEqual([[0]]);
    }
    expect(await rowsOf(db, 'SELECT COUNT(*) AS n FROM person')).toEqual([[5]]);
  });

  it('never crashes on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), text => void compileError(text)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never crashes on random sequences of SQL tokens', () => {
    const token = fc.constantFrom(
      'SELECT',
      'FROM',
      'WHERE',
      'JOIN',
      'INNER',
      'ON',
      'AS',
      'AND',
      'OR',
      'NOT',
      'IS',
      'NULL',
      'ORDER',
      'BY',
      'DESC',
      'LIMIT',
      'OFFSET',
      'COUNT',
      '(',
      ')',
      '*',
      ',',
      '.',
      ';',
      '=',
      '<>',
      '<',
      '>=',
      'person',
      'pet',
      'p',
      'id',
      'age',
      'name',
      'nick',
      'weight',
      '1',
      '300',
      '-1',
      '1e3',
      '1.5',
      "'x'",
      '0xff',
      "X'0a'",
      'true',
      'INSERT',
      'INTO',
      'VALUES',
      'UPDATE',
      'SET',
      'DELETE',
      '"person"',
      '"',
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 30 }),
        tokens => void compileError(tokens.join(' ')),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never crashes on random mutations of valid queries', () => {
    const base =
      "SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id WHERE p.age > 20 AND p.nick IS NOT NULL ORDER BY p.age DESC LIMIT 5 OFFSET 1; UPDATE person SET age = 3 WHERE name = 'x'";
    fc.assert(
      fc.property(
        fc.nat(base.length),
        fc.nat(base.length),
        fc.string({ maxLength: 5 }),
        (at, len, insert) =>
          void compileError(base.slice(0, at) + insert + base.slice(at + (len % 8))),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
