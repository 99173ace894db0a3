/**
 * Compiling subscription queries: the dialect's accepted forms, canonical keys, and every
 * refusal with its code and position.
 */
import { describe, expect, it } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { compileSubscription, MAX_SUBSCRIPTION_TABLES } from '../../runtime/subscribe/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { schema } from './subscribe-fixtures.js';

const OWNER = { isOwner: true };
const PUBLIC = { isOwner: false };

function failure(sql: string, options = OWNER, s = schema): WasmbaseError {
  try {
    compileSubscription(s, sql, options);
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    return err as WasmbaseError;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('compileSubscription: accepted queries', () => {
  it('returns the whole rows of the star table, with its id and name', () => {
    const q = compileSubscription(schema, 'SELECT * FROM person WHERE age > 20', OWNER);
    expect(q).toMatchObject({
      sql: 'SELECT * FROM person WHERE age > 20',
      tableId: schema.tableByName('person')!.id,
      tableName: 'person',
    });
    const j = compileSubscription(
      schema,
      'SELECT q.* FROM person p JOIN pet q ON q.owner = p.id',
      OWNER,
    );
    expect(j).toMatchObject({ tableId: schema.tableByName('pet')!.id, tableName: 'pet' });
  });

  it('accepts 3-way joins, joins on Option columns and filters on every joined table', () => {
    const q = compileSubscription(
      schema,
      "SELECT v.* FROM person p JOIN pet q ON q.owner = p.id JOIN vet v ON q.vet = v.id WHERE p.age > 3 AND v.city = 'x' AND q.kind <> p.name",
      OWNER,
    );
    expect(q.tableName).toBe('vet');
  });

  it('gives identical queries one key however they are spelled', () => {
    const keys = [
      'SELECT * FROM person WHERE age = 30',
      'select * from person where age=30',
      'SELECT x.* FROM person AS x WHERE x.age = 3e1',
      'SELECT * FROM person WHERE 30 = age -- comment',
    ].map(sql => compileSubscription(schema, sql, OWNER).key);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe('SELECT $0.* FROM "person" $0 WHERE $0."age" = 30');
    const other = compileSubscription(schema, 'SELECT * FROM person WHERE age = 31', OWNER).key;
    expect(other).not.toBe(keys[0]);
    // ON and WHERE conditions are one list: an inner join's condition may be written in either.
    const a = compileSubscription(
      schema,
      "SELECT p.* FROM person p JOIN pet q ON q.owner = p.id WHERE q.kind = 'cat'",
      OWNER,
    ).key;
    const b = compileSubscription(
      schema,
      "SELECT a.* FROM person a JOIN pet b ON b.owner = a.id WHERE b.kind = 'cat'",
      OWNER,
    ).key;
    expect(a).toBe(b);
    expect(a).toBe(
      'SELECT $0.* FROM "person" $0 JOIN "pet" $1 WHERE $1."owner" = $0."id" AND $1."kind" = "cat"',
    );
  });

  it('accepts the same query from owners and others on public tables, with the same key', () => {
    expect(compileSubscription(schema, 'SELECT * FROM pet', PUBLIC).key).toBe(
      compileSubscription(schema, 'SELECT * FROM pet', OWNER).key,
    );
  });
});

describe('compileSubscription: refusals', () => {
  const cases: [string, string, RegExp, number, number][] = [
    ['column list', 'SELECT name FROM person', /not columns at 1:8/, 1, 8],
    ['two items', 'SELECT *, name FROM person', /not a list of items at 1:11/, 1, 11],
    ['COUNT', 'SELECT COUNT(*) AS n FROM person', /COUNT\(\*\) cannot be subscribed to/, 1, 8],
    [
      'star over a join',
      'SELECT * FROM person p JOIN pet q ON q.owner = p.id',
      /SELECT \* over a join/,
      1,
      8,
    ],
    ['ORDER BY', 'SELECT * FROM person ORDER BY age', /ORDER BY is not supported/, 1, 31],
    [
      'LIMIT',
      'SELECT * FROM person\n  LIMIT 5',
      /LIMIT and OFFSET are not supported in subscriptions .* at 2:3$/,
      2,
      3,
    ],
    ['two statements', 'SELECT * FROM person; SELECT * FROM pet', /single SELECT statement/, 1, 23],
    ['DML', 'DELETE FROM person', /not DELETE/, 1, 1],
    [
      'non-equi join',
      'SELECT p.* FROM person p JOIN pet q ON q.owner > p.id',
      /table q is not joined to the others by an equality/,
      1,
      31,
    ],
    [
      'join by OR',
      'SELECT p.* FROM person p JOIN pet q ON q.owner = p.id OR q.id = p.id',
      /table q is not joined/,
      1,
      31,
    ],
    [
      'unindexed join column',
      'SELECT p.* FROM person p JOIN visit v ON v.person = p.id',
      /join column v\.person is not indexed: .*add an index on visit\.person/,
      1,
      42,
    ],
    [
      'unindexed column on the first table',
      'SELECT q.* FROM person p JOIN vet q ON q.city = p.city',
      /join column p\.city is not indexed: when rows of q change/,
      1,
      49,
    ],
    [
      'float join column',
      'SELECT p.* FROM person p JOIN pet q ON q.weight = p.score',
      /join column (p\.score|q\.weight) is f64: float columns cannot be looked up/,
      1,
      0,
    ],
  ];
  for (const [name, sql, message, line, column] of cases) {
    it(`refuses ${name} with SQL_UNSUPPORTED and a position`, () => {
      const err = failure(sql);
      expect(err.code).toBe('SQL_UNSUPPORTED');
      expect(err.message).toMatch(message);
      expect(err.details!['line']).toBe(line);
      if (column > 0) expect(err.details!['column']).toBe(column);
    });
  }

  it('passes on the parser and binder errors', () => {
    expect(failure('SELECT * FORM person').code).toBe('SQL_SYNTAX');
    const unknown = failure('SELECT * FROM nobody');
    expect(unknown.code).toBe('SQL_UNKNOWN_NAME');
    expect(unknown.message).toBe(
      'no such table "nobody" (if it exists, it may be private) at 1:15',
    );
    expect(failure("SELECT * FROM person WHERE age = 'x'").code).toBe('SQL_TYPE_MISMATCH');
    expect(failure('SELECT * FROM person WHERE nope = 1').code).toBe('SQL_UNKNOWN_NAME');
    expect(failure('').code).toBe('SQL_SYNTAX');
  });

  it('hides private tables from non-owners with the missing-table message', () => {
    expect(compileSubscription(schema, 'SELECT * FROM secret', OWNER).tableName).toBe('secret');
    const err = failure('SELECT * FROM secret', PUBLIC);
    expect(err.code).toBe('SQL_UNKNOWN_NAME');
    expect(err.message).toBe('no such table "secret" (if it exists, it may be private) at 1:15');
    expect(
      failure('SELECT p.* FROM person p JOIN secret s ON s.owner = p.id', PUBLIC).message,
    ).toMatch(/no such table "secret"/);
  });

  it(`joins at most ${MAX_SUBSCRIPTION_TABLES} tables`, () => {
    const many = buildSchema([{ name: 't', columns: [{ name: 'id', type: T.u32, pk: true }] }]);
    const joins = (n: number) =>
      Array.from({ length: n }, (_, i) => ` JOIN t AS t${i + 1} ON t${i + 1}.id = t${i}.id`).join(
        '',
      );
    expect(
      compileSubscription(
        many,
        `SELECT t0.* FROM t AS t0${joins(MAX_SUBSCRIPTION_TABLES - 1)}`,
        OWNER,
      ).tableName,
    ).toBe('t');
    const err = failure(`SELECT t0.* FROM t AS t0${joins(MAX_SUBSCRIPTION_TABLES)}`, OWNER, many);
    expect(err.code).toBe('SQL_UNSUPPORTED');
    expect(err.message).toMatch(/at most 16 tables/);
  });
});
