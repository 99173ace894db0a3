/**
 * Golden tests: SQL text in, rows (or a positioned error) out, one behaviour per test, run
 * against both the in-memory store double and the real LMDB store.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, DATA, errorOf, rowsOf, schema, sqlJson, type TestDb } from './sql-fixtures.js';

const ID1_HEX = '0x0100000000000000000000000000000000000000000000000000000000000001';
const sortRows = (rows: unknown[]): unknown[] =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** [behaviour, SQL, expected rows, rows are ordered] */
const SELECTS: readonly (readonly [string, string, unknown[], boolean?])[] = [
  [
    'SELECT * returns whole rows',
    'SELECT * FROM person WHERE id = 1',
    [[1, 'alice', 30, 'paris', 'al']],
  ],
  [
    't.* with an alias',
    'SELECT p.* FROM person AS p WHERE p.id = 2',
    [[2, 'bob', 25, 'london', null]],
  ],
  [
    'alias without AS',
    'SELECT x.name FROM person x WHERE x.age > 30 ORDER BY x.name',
    [['carol'], ['eve']],
    true,
  ],
  ['column list', 'SELECT name, age FROM person WHERE id = 4', [['dave', 25]]],
  ['COUNT(*) of a table', 'SELECT COUNT(*) AS n FROM person', [[5]]],
  ['COUNT(*) with WHERE', 'SELECT COUNT(*) AS n FROM person WHERE age = 25', [[2]]],
  [
    'COUNT(*) over a join',
    'SELECT COUNT(*) AS n FROM person p JOIN pet q ON q.owner = p.id',
    [[4]],
  ],
  [
    'JOIN … ON equality',
    'SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id ORDER BY q.id',
    [
      ['alice', 'cat'],
      ['alice', 'dog'],
      ['carol', 'fish'],
      ['eve', 'cat'],
    ],
    true,
  ],
  [
    'INNER JOIN keyword',
    "SELECT q.kind FROM person p INNER JOIN pet q ON p.id = q.owner WHERE p.name = 'carol'",
    [['fish']],
  ],
  [
    'three tables',
    'SELECT q.kind, v.place FROM person p JOIN pet q ON q.owner = p.id JOIN visit v ON v.person = p.id ORDER BY q.kind, v.place',
    [
      ['cat', 'eiffel'],
      ['cat', 'louvre'],
      ['dog', 'eiffel'],
      ['dog', 'louvre'],
    ],
    true,
  ],
  [
    'join on a table without indexes',
    'SELECT p.name, v.place FROM person p JOIN visit v ON v.person = p.id ORDER BY v.place',
    [
      ['alice', 'eiffel'],
      ['alice', 'louvre'],
      ['bob', 'tower'],
    ],
    true,
  ],
  [
    'join with AND of equalities',
    'SELECT p.name FROM person p JOIN person o ON o.age = p.age AND o.city = p.city ORDER BY p.name',
    [['alice'], ['bob'], ['carol'], ['dave'], ['eve']],
    true,
  ],
  [
    'join condition with a constant',
    "SELECT q.kind FROM person p JOIN pet q ON q.owner = p.id AND q.kind = 'cat' ORDER BY q.id",
    [['cat'], ['cat']],
    true,
  ],
  [
    'AND, OR, NOT and parentheses',
    "SELECT name FROM person WHERE (age = 25 OR city = 'paris') AND NOT name = 'carol' ORDER BY name",
    [['alice'], ['bob'], ['dave']],
    true,
  ],
  ['=', 'SELECT name FROM person WHERE age = 35', [['carol']]],
  [
    '!=',
    'SELECT name FROM person WHERE age != 25 ORDER BY id',
    [['alice'], ['carol'], ['eve']],
    true,
  ],
  [
    '<>',
    'SELECT name FROM person WHERE age <> 25 ORDER BY id',
    [['alice'], ['carol'], ['eve']],
    true,
  ],
  ['<', 'SELECT name FROM person WHERE age < 30 ORDER BY id', [['bob'], ['dave']], true],
  [
    '<=',
    'SELECT name FROM person WHERE age <= 30 ORDER BY id',
    [['alice'], ['bob'], ['dave']],
    true,
  ],
  ['>', 'SELECT name FROM person WHERE age > 35', [['eve']]],
  ['>=', 'SELECT name FROM person WHERE age >= 35 ORDER BY id', [['carol'], ['eve']], true],
  [
    'literal on the left',
    'SELECT name FROM person WHERE 30 > age ORDER BY id',
    [['bob'], ['dave']],
    true,
  ],
  [
    'range with both ends',
    'SELECT name FROM person WHERE age > 25 AND age < 40 ORDER BY id',
    [['alice'], ['carol']],
    true,
  ],
  ['IS NULL', 'SELECT name FROM person WHERE nick IS NULL ORDER BY id', [['bob'], ['carol']], true],
  [
    'IS NOT NULL',
    'SELECT name FROM person WHERE nick IS NOT NULL ORDER BY id',
    [['alice'], ['dave'], ['eve']],
    true,
  ],
  ['Option column equals a value', "SELECT name FROM person WHERE nick = 'al'", [['alice']]],
  [
    'comparisons with NULL rows are unknown',
    "SELECT name FROM person WHERE nick != 'al' ORDER BY id",
    [['dave'], ['eve']],
    true,
  ],
  [
    'NOT of unknown stays unknown',
    "SELECT name FROM person WHERE NOT (nick = 'al') ORDER BY id",
    [['dave'], ['eve']],
    true,
  ],
  ['= NULL matches nothing', 'SELECT name FROM person WHERE nick = NULL', []],
  ['IS NULL on a non-optional column is false', 'SELECT name FROM person WHERE age IS NULL', []],
  ['integer literal with exponent', 'SELECT COUNT(*) AS n FROM pet WHERE id < 1e3', [[4]]],
  [
    'float literal',
    'SELECT kind FROM pet WHERE weight > 4.0 ORDER BY weight',
    [['cat'], ['dog']],
    true,
  ],
  ['integer literal on a float column', 'SELECT kind FROM pet WHERE weight = 10', [['dog']]],
  ['negative literal', 'SELECT balance FROM account WHERE balance < -1', [[-5]]],
  ["string with '' escape", "SELECT COUNT(*) AS n FROM person WHERE name = 'o''neil'", [[0]]],
  ['true literal', 'SELECT balance FROM account WHERE active = true', [[-5]]],
  ['bool column as a condition', 'SELECT balance FROM account WHERE active', [[-5]]],
  ['NOT of a bool column', 'SELECT balance FROM account WHERE NOT active', [[7]]],
  ['false literal', 'SELECT balance FROM account WHERE false', []],
  ['hex identity 0x…', `SELECT balance FROM account WHERE who = ${ID1_HEX}`, [[-5]]],
  ["hex identity X'…'", `SELECT balance FROM account WHERE who = X'${ID1_HEX.slice(2)}'`, [[-5]]],
  ['short hex identity', 'SELECT balance FROM account WHERE who = 0x02', [[7]]],
  ["bytes X'…'", "SELECT balance FROM account WHERE data = X'DEAD'", [[-5]]],
  [
    'identity and bytes render as hex',
    'SELECT who, data FROM account WHERE balance = -5',
    [[ID1_HEX, 'dead']],
  ],
  [
    'ORDER BY ASC',
    'SELECT name FROM person ORDER BY age ASC, id',
    [['bob'], ['dave'], ['alice'], ['carol'], ['eve']],
    true,
  ],
  [
    'ORDER BY DESC, ASC',
    'SELECT name FROM person ORDER BY age DESC, name ASC',
    [['eve'], ['carol'], ['alice'], ['bob'], ['dave']],
    true,
  ],
  [
    'ORDER BY a string column',
    'SELECT name FROM person ORDER BY city, name',
    [['dave'], ['bob'], ['eve'], ['alice'], ['carol']],
    true,
  ],
  [
    'ORDER BY an Option column puts NULLs last',
    'SELECT id FROM person ORDER BY nick, id',
    [[1], [4], [5], [2], [3]],
    true,
  ],
  [
    'ORDER BY DESC puts NULLs first',
    'SELECT id FROM person ORDER BY nick DESC, id DESC',
    [[3], [2], [5], [4], [1]],
    true,
  ],
  [
    'ORDER BY an output alias',
    'SELECT name AS who FROM person ORDER BY who DESC LIMIT 1',
    [['eve']],
    true,
  ],
  [
    'ORDER BY a float column',
    'SELECT id FROM pet ORDER BY weight DESC',
    [[2], [1], [4], [3]],
    true,
  ],
  ['LIMIT', 'SELECT id FROM person ORDER BY id LIMIT 2', [[1], [2]], true],
  ['LIMIT with OFFSET', 'SELECT id FROM person ORDER BY id LIMIT 2 OFFSET 1', [[2], [3]], true],
  ['OFFSET past the end', 'SELECT id FROM person ORDER BY id LIMIT 2 OFFSET 10', [], true],
  ['LIMIT 0', 'SELECT id FROM person LIMIT 0', [], true],
  [
    'LIMIT on a sorted non-indexed column',
    'SELECT name FROM person ORDER BY city DESC, name LIMIT 2',
    [['alice'], ['carol']],
    true,
  ],
  ['quoted identifiers', 'SELECT "name" FROM "person" WHERE "id" = 1', [['alice']]],
  ['owners read private tables', 'SELECT note FROM secret', [['hidden']]],
  [
    'multi-column index prefix and range',
    "SELECT name FROM person WHERE city = 'london' AND age > 30",
    [['eve']],
  ],
  [
    'comparing two columns of one table',
    'SELECT p.name FROM person p JOIN pet q ON q.owner = p.id WHERE q.id = p.id ORDER BY p.id',
    [['alice'], ['carol']],
    true,
  ],
];

const ERRORS: readonly (readonly [
  string,
  string,
  string,
  string,
  { isOwner?: boolean; rowLimit?: number }?,
])[] = [
  [
    'syntax error with position',
    'SELECT * FROM person WHERE',
    'SQL_SYNTAX',
    'expected a literal value, found the end of the query at 1:27',
  ],
  ['expected-token hint', 'SELECT * person', 'SQL_SYNTAX', 'expected FROM, found "person" at 1:10'],
  [
    'unknown table',
    'SELECT * FROM nope',
    'SQL_UNKNOWN_NAME',
    'no such table "nope" (if it exists, it may be private) at 1:15',
  ],
  [
    'private table for a non-owner: same message as a missing one',
    'SELECT * FROM secret',
    'SQL_UNKNOWN_NAME',
    'no such table "secret" (if it exists, it may be private) at 1:15',
    { isOwner: false },
  ],
  [
    'identifiers are case-sensitive',
    'SELECT * FROM Person',
    'SQL_UNKNOWN_NAME',
    'no such table "Person" (if it exists, it may be private) at 1:15',
  ],
  [
    'unknown column',
    'SELECT nope FROM person',
    'SQL_UNKNOWN_NAME',
    'no column "nope" in "person" at 1:8',
  ],
  [
    'unknown qualified column',
    'SELECT person.nope FROM person',
    'SQL_UNKNOWN_NAME',
    'table "person" has no column "nope" at 1:8',
  ],
  [
    'unknown alias',
    'SELECT q.id FROM person p',
    'SQL_UNKNOWN_NAME',
    'no table or alias "q" in this query at 1:8',
  ],
  [
    'ambiguous column',
    'SELECT id FROM person JOIN pet ON pet.owner = person.id',
    'SQL_UNKNOWN_NAME',
    'column "id" is ambiguous: qualify it (person.id or pet.id) at 1:8',
  ],
  [
    'a table named twice',
    'SELECT * FROM person JOIN person ON person.id = person.id',
    'SQL_UNKNOWN_NAME',
    '"person" names two tables of this query: give one an alias (JOIN person AS other) at 1:27',
  ],
  [
    '300 does not fit in u8',
    'SELECT * FROM person WHERE age = 300',
    'SQL_TYPE_MISMATCH',
    '300 does not fit in u8 (0..255) for column person.age at 1:34',
  ],
  [
    'negative into unsigned',
    'SELECT * FROM person WHERE age > -1',
    'SQL_TYPE_MISMATCH',
    '-1 does not fit in u8 (0..255) for column person.age at 1:34',
  ],
  [
    'a string is not an integer',
    "SELECT * FROM person WHERE age = 'x'",
    'SQL_TYPE_MISMATCH',
    "column person.age is u8; string 'x' is not a value of that type at 1:34",
  ],
  [
    'an integer is not a string',
    'SELECT * FROM person WHERE name = 5',
    'SQL_TYPE_MISMATCH',
    'column person.name is string; integer 5 is not a value of that type at 1:35',
  ],
  [
    'a fraction is not an integer',
    'SELECT * FROM person WHERE age = 1.5',
    'SQL_TYPE_MISMATCH',
    'column person.age is u8; 1.5 is not an integer at 1:34',
  ],
  [
    'a string is not an identity',
    "SELECT * FROM account WHERE who = 'bob'",
    'SQL_TYPE_MISMATCH',
    "column account.who is Identity; write it as a hex literal (0x… or X'…'), not string 'bob' at 1:35",
  ],
  [
    'columns of different types',
    'SELECT * FROM person p JOIN pet q ON q.kind = p.id',
    'SQL_TYPE_MISMATCH',
    'cannot compare q.kind (string) with p.id (u32) at 1:45',
  ],
  [
    'a non-bool column is not a condition',
    'SELECT * FROM person WHERE age',
    'SQL_TYPE_MISMATCH',
    'person.age is u8, not a condition (compare it with something) at 1:28',
  ],
  [
    'COUNT(*) with other columns',
    'SELECT id, COUNT(*) AS n FROM person',
    'SQL_UNSUPPORTED',
    'COUNT(*) cannot be combined with other columns (there is no GROUP BY) at 1:12',
  ],
  [
    'comparing a comparison',
    'SELECT * FROM person WHERE (age = 1) = true',
    'SQL_UNSUPPORTED',
    'comparisons take a column or a literal on each side at 1:38',
  ],
  [
    'row limit names the limit',
    'SELECT * FROM person',
    'SQL_ROW_LIMIT',
    'the query returns more than 3 rows, the row limit (--sql-row-limit); add a LIMIT or a narrower WHERE',
    { rowLimit: 3 },
  ],
  [
    'row limit applies to sorted results',
    'SELECT * FROM person ORDER BY city',
    'SQL_ROW_LIMIT',
    'the query returns more than 4 rows, the row limit (--sql-row-limit); add a LIMIT or a narrower WHERE',
    { rowLimit: 4 },
  ],
  [
    'DML needs the owner',
    'DELETE FROM person WHERE id = 1',
    'PERMISSION_DENIED',
    'only the owner of the database may run DELETE (at 1:1)',
    { isOwner: false },
  ],
  [
    'NULL into a non-optional column',
    "INSERT INTO person (name, age, city) VALUES (NULL, 1, 'x')",
    'SQL_TYPE_MISMATCH',
    'column person.name is string and cannot be NULL at 1:46',
  ],
  [
    'a missing column without default',
    "INSERT INTO person (name, age) VALUES ('z', 1)",
    'SQL_TYPE_MISMATCH',
    'column person.city (string) needs a value: it is neither auto-increment nor optional at 1:13',
  ],
  [
    'wrong number of values',
    'INSERT INTO visit VALUES (1)',
    'SQL_SYNTAX',
    '1 value for 2 columns at 1:27',
  ],
  [
    'unknown column in SET',
    'UPDATE person SET nope = 1',
    'SQL_UNKNOWN_NAME',
    'no column "nope" in "person" at 1:19',
  ],
  [
    '300 into u8 in SET',
    'UPDATE person SET age = 300',
    'SQL_TYPE_MISMATCH',
    '300 does not fit in u8 (0..255) for column person.age at 1:25',
  ],
];

describe.each(BACKENDS)('SQL golden tests on the $name', backend => {
  let db: TestDb;
  beforeAll(async () => {
    db = await backend.open(schema, DATA);
  });

  it.each(SELECTS)('%s', async (...args) => {
    const [, sql, expected, ordered] = args as unknown as (typeof SELECTS)[number];
    const rows = await rowsOf(db, sql);
    expect(ordered === true ? rows : sortRows(rows)).toEqual(
      ordered === true ? expected : sortRows(expected),
    );
  });

  it.each(ERRORS)('error: %s', async (...args) => {
    const [, sql, code, message, opts] = args as unknown as (typeof ERRORS)[number];
    const err = await errorOf(db, sql, opts);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    const at = /at (\d+):(\d+)\)?$/.exec(message);
    if (at !== null)
      expect(err.details).toMatchObject({ line: Number(at[1]), column: Number(at[2]) });
  });

  it('renders the seed shape: schema as a SATS-JSON ProductType, rows as arrays, plus duration and stats', async () => {
    const [result] = await sqlJson(db, 'SELECT name AS who, age FROM person WHERE id = 1');
    expect(result).toEqual({
      schema: {
        elements: [
          { name: { some: 'who' }, algebraic_type: { String: [] } },
          { name: { some: 'age' }, algebraic_type: { U8: [] } },
        ],
      },
      rows: [['alice', 30]],
      total_duration_micros: expect.any(Number),
      stats: { rows_inserted: 0, rows_deleted: 0, rows_updated: 0 },
    });
  });

  it('answers each ;-separated statement with its own result', async () => {
    const out = await sqlJson(
      db,
      'SELECT COUNT(*) AS n FROM pet; SELECT name FROM person WHERE id = 4;',
    );
    expect(out.map(r => r.rows)).toEqual([[[4]], [['dave']]]);
    expect(out[0]!.schema).toEqual({
      elements: [{ name: { some: 'n' }, algebraic_type: { U64: [] } }],
    });
  });

  it('returns every row when no WHERE is given', async () => {
    expect(sortRows(await rowsOf(db, 'SELECT id FROM person'))).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('a LIMIT under the row limit passes', async () => {
    expect(await rowsOf(db, 'SELECT id FROM person ORDER BY id LIMIT 3', { rowLimit: 3 })).toEqual([
      [1],
      [2],
      [3],
    ]);
  });
});

describe.each(BACKENDS)('SQL DML on the $name', backend => {
  const fresh = () => backend.open(schema, DATA);

  it('INSERT with a column list fills auto-increment ids and NULLs, in one __sql__ transaction', async () => {
    const db = await fresh();
    const out = await sqlJson(
      db,
      "INSERT INTO person (name, age, city) VALUES ('frank', 50, 'rome'), ('o''neil', 20, 'cork')",
    );
    expect(out[0]!.stats).toEqual({ rows_inserted: 2, rows_deleted: 0, rows_updated: 0 });
    expect(out[0]!.rows).toEqual([]);
    expect(await rowsOf(db, 'SELECT * FROM person WHERE id >= 6 ORDER BY id')).toEqual([
      [6, 'frank', 50, 'rome', null],
      [7, "o'neil", 20, 'cork', null],
    ]);
    expect(db.commits.map(c => c.label)).toEqual(['__sql__']);
    expect(db.commits[0]!.changes[0]!.inserts).toHaveLength(2);
  });

  it('INSERT without a column list takes every column in order', async () => {
    const db = await fresh();
    await sqlJson(db, "INSERT INTO pet VALUES (9, 2, 'hamster', 0.25)");
    expect(await rowsOf(db, 'SELECT * FROM pet WHERE id = 9')).toEqual([[9, 2, 'hamster', 0.25]]);
  });

  it('INSERT that breaks a unique constraint fails whole: no row of it stays', async () => {
    const db = await fresh();
    const err = await errorOf(
      db,
      "INSERT INTO person (name, age, city) VALUES ('zed', 1, 'x'), ('alice', 2, 'y')",
    );
    expect(err.code).toBe('UNIQUE_VIOLATION');
    expect(await rowsOf(db, "SELECT COUNT(*) AS n FROM person WHERE name = 'zed'")).toEqual([[0]]);
    expect(db.commits).toHaveLength(0);
  });

  it('UPDATE … SET … WHERE changes matching rows and counts them', async () => {
    const db = await fresh();
    const out = await sqlJson(
      db,
      "UPDATE person SET city = 'rome', nick = 'bobby' WHERE name = 'bob'",
    );
    expect(out[0]!.stats).toEqual({ rows_inserted: 0, rows_deleted: 0, rows_updated: 1 });
    expect(await rowsOf(db, 'SELECT * FROM person WHERE id = 2')).toEqual([
      [2, 'bob', 25, 'rome', 'bobby'],
    ]);
  });

  it('UPDATE without WHERE changes every row; SET NULL empties an Option', async () => {
    const db = await fresh();
    await sqlJson(db, 'UPDATE person SET nick = NULL');
    expect(await rowsOf(db, 'SELECT COUNT(*) AS n FROM person WHERE nick IS NULL')).toEqual([[5]]);
  });

  it('UPDATE can change the primary key', async () => {
    const db = await fresh();
    await sqlJson(db, 'UPDATE pet SET id = 10 WHERE id = 4');
    expect(await rowsOf(db, 'SELECT kind FROM pet WHERE id = 10')).toEqual([['cat']]);
    expect(await rowsOf(db, 'SELECT kind FROM pet WHERE id = 4')).toEqual([]);
  });

  it('UPDATE that breaks a unique constraint changes nothing', async () => {
    const db = await fresh();
    const err = await errorOf(db, "UPDATE person SET name = 'same' WHERE age = 25");
    expect(err.code).toBe('UNIQUE_VIOLATION');
    expect(await rowsOf(db, 'SELECT name FROM person WHERE age = 25 ORDER BY id')).toEqual([
      ['bob'],
      ['dave'],
    ]);
  });

  it('DELETE … WHERE removes matching rows', async () => {
    const db = await fresh();
    const out = await sqlJson(db, 'DELETE FROM pet WHERE owner = 1');
    expect(out[0]!.stats).toEqual({ rows_inserted: 0, rows_deleted: 2, rows_updated: 0 });
    expect(await rowsOf(db, 'SELECT id FROM pet ORDER BY id')).toEqual([[3], [4]]);
  });

  it('DELETE without WHERE empties the table', async () => {
    const db = await fresh();
    await sqlJson(db, 'DELETE FROM visit');
    expect(await rowsOf(db, 'SELECT COUNT(*) AS n FROM visit')).toEqual([[0]]);
  });

  it('a mistake in a later statement runs none of them', async () => {
    const db = await fresh();
    await expect(
      sqlJson(db, "INSERT INTO visit VALUES (7, 'a'); SELECT nope FROM visit"),
    ).rejects.toMatchObject({ code: 'SQL_UNKNOWN_NAME' });
    expect(await rowsOf(db, 'SELECT COUNT(*) AS n FROM visit')).toEqual([[4]]);
  });

  it('statements see the writes of earlier statements of the same request', async () => {
    const db = await fresh();
    const out = await sqlJson(
      db,
      "INSERT INTO visit VALUES (7, 'a'); SELECT place FROM visit WHERE person = 7; DELETE FROM visit WHERE person = 7; SELECT COUNT(*) AS n FROM visit",
    );
    expect(out.map(r => r.rows)).toEqual([[], [['a']], [], [[4]]]);
    // One request is one transaction: the insert and the delete cancel out in one commit.
    expect(db.commits).toHaveLength(1);
  });
});
