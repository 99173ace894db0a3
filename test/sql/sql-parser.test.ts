import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { parseSql, type Select, type Statement } from '../../runtime/sql/index.js';

/** The statement without positions, for readable expectations. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value === 'bigint') return value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'pos' && v !== undefined)
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}
const one = (sql: string): Statement => parseSql(sql)[0]!;
const col = (name: string, table?: string) =>
  table === undefined ? { kind: 'Column', name } : { kind: 'Column', table, name };
const lit = (type: string, text: string) => ({ kind: 'Literal', type, text });

function errorOf(sql: string): { message: string; details: unknown } {
  try {
    parseSql(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    return { message: (err as WasmbaseError).message, details: (err as WasmbaseError).details };
  }
  throw new Error(`parsed: ${sql}`);
}

describe('SQL parser', () => {
  it('parses SELECT * FROM t', () => {
    expect(strip(one('SELECT * FROM person'))).toEqual({
      kind: 'Select',
      items: [{ kind: 'Star' }],
      from: { table: 'person' },
      joins: [],
      orderBy: [],
    });
  });

  it('parses column lists with aliases, t.* and COUNT(*) AS n', () => {
    const s = one('select p.name AS who, age, p.* , COUNT(*) AS n from person p') as Select;
    expect(strip(s.items)).toEqual([
      { kind: 'Column', column: col('name', 'p'), alias: 'who' },
      { kind: 'Column', column: col('age') },
      { kind: 'TableStar', table: 'p' },
      { kind: 'Count', alias: 'n' },
    ]);
    expect(strip(s.from)).toEqual({ table: 'person', alias: 'p' });
  });

  it('parses any number of joins with ON predicates', () => {
    const s = one(
      'SELECT a.* FROM a JOIN b AS bb ON a.id = bb.a_id INNER JOIN c ON bb.id = c.b_id AND c.x = 1',
    ) as Select;
    expect(s.joins.map(j => j.table.table)).toEqual(['b', 'c']);
    expect(strip(s.joins[0]!.on)).toEqual({
      kind: 'Compare',
      op: '=',
      left: col('id', 'a'),
      right: col('a_id', 'bb'),
    });
    expect(strip(s.joins[1]!.on)).toMatchObject({ kind: 'And' });
  });

  it('binds NOT tighter than AND, and AND tighter than OR; parentheses override', () => {
    const s = one('SELECT * FROM t WHERE a = 1 OR b <> 2 AND NOT c IS NULL') as Select;
    expect(strip(s.where)).toEqual({
      kind: 'Or',
      left: { kind: 'Compare', op: '=', left: col('a'), right: lit('integer', '1') },
      right: {
        kind: 'And',
        left: { kind: 'Compare', op: '!=', left: col('b'), right: lit('integer', '2') },
        right: { kind: 'Not', expr: { kind: 'IsNull', expr: col('c'), negated: false } },
      },
    });
    const p = one('SELECT * FROM t WHERE (a = 1 OR b = 2) AND c IS NOT NULL') as Select;
    expect(strip(p.where)).toMatchObject({
      kind: 'And',
      left: { kind: 'Or' },
      right: { kind: 'IsNull', negated: true },
    });
  });

  it('reads every literal form', () => {
    const s = one(
      "SELECT * FROM t WHERE a = 1e3 AND b = 1.5 AND c = 'it''s' AND d = true AND e = 0xABCD AND f = X'0a0B' AND g = -5 AND h = -2.5e-3",
    ) as Select;
    const lits: unknown[] = [];
    const walk = (e: unknown): void => {
      const n = e as { kind: string; left?: unknown; right?: unknown };
      if (n.kind === 'And') {
        walk(n.left);
        walk(n.right);
      } else lits.push(strip(n.right));
    };
    walk(s.where);
    expect(lits).toEqual([
      lit('integer', '1e3'),
      lit('float', '1.5'),
      lit('string', "it's"),
      lit('bool', 'true'),
      lit('hex', 'abcd'),
      lit('hex', '0a0b'),
      lit('integer', '-5'),
      lit('float', '-2.5e-3'),
    ]);
  });

  it('parses ORDER BY with directions, LIMIT and OFFSET', () => {
    const s = one('SELECT * FROM t ORDER BY a DESC, t.b ASC, c LIMIT 10 OFFSET 5') as Select;
    expect(strip(s.orderBy)).toEqual([
      { column: col('a'), descending: true },
      { column: col('b', 't'), descending: false },
      { column: col('c'), descending: false },
    ]);
    expect([s.limit, s.offset]).toEqual([10n, 5n]);
  });

  it('parses INSERT, UPDATE and DELETE', () => {
    expect(strip(one("INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)"))).toEqual({
      kind: 'Insert',
      table: { table: 't' },
      columns: [{ name: 'a' }, { name: 'b' }],
      rows: [
        [lit('integer', '1'), lit('string', 'x')],
        [lit('integer', '2'), lit('null', 'null')],
      ],
    });
    expect(strip(one("UPDATE t SET a = 1, b = 'y' WHERE id = 3"))).toMatchObject({
      kind: 'Update',
      set: [{ column: col('a') }, { column: col('b') }],
      where: { kind: 'Compare' },
    });
    expect(strip(one('DELETE FROM t'))).toEqual({ kind: 'Delete', table: { table: 't' } });
  });

  it('splits statements on semicolons and keeps identifiers case-sensitive, quoted ones verbatim', () => {
    const all = parseSql('select * from Person; SELECT "select", "a""b" FROM "My Table";');
    expect(all).toHaveLength(2);
    expect((all[0] as Select).from.table).toBe('Person');
    expect(strip((all[1] as Select).items)).toEqual([
      { kind: 'Column', column: col('select') },
      { kind: 'Column', column: col('a"b') },
    ]);
    expect((all[1] as Select).from.table).toBe('My Table');
  });

  it.each([
    ['SELECT * person', 'expected FROM, found "person" at 1:10'],
    ['SELECT * FROM', 'expected a table name, found the end of the query at 1:14'],
    ['SELECT * FROM t WHERE', 'expected a literal value, found the end of the query at 1:22'],
    ['SELECT COUNT(*) FROM t', 'expected AS and a name for COUNT(*), found FROM at 1:17'],
    ["SELECT * FROM t WHERE a = 'oops", 'unterminated string literal at 1:27'],
    [
      'SELECT * FROM select',
      'expected a table name, found the keyword SELECT (quote it as "select" to use it as a name) at 1:15',
    ],
    ['SELECT * FROM t\nWHERE a = 1 b', 'expected ";" or the end of the query, found "b" at 2:13'],
    ['DROP TABLE t', 'expected SELECT, INSERT, UPDATE or DELETE, found "DROP" at 1:1'],
    ['SELECT * FROM t LIMIT -1', 'expected a row count after LIMIT, found "-" at 1:23'],
    ['SELECT * FROM t WHERE a = #', 'unexpected character "#" at 1:27'],
    ['  ;; ', 'the query is empty'],
  ])('reports %j with a position: %s', (sql, message) => {
    expect(errorOf(sql).message).toBe(message);
  });

  it('stops 10,000 nested parentheses with a clean error instead of overflowing the stack', () => {
    const sql = `SELECT * FROM t WHERE ${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`;
    const { message, details } = errorOf(sql);
    expect(message).toMatch(/^expression nested deeper than 128 levels at 1:\d+$/);
    expect(details).toMatchObject({ line: 1 });
  });

  it('treats injection-like text inside literals as data', () => {
    const s = one("SELECT * FROM t WHERE name = '; DROP TABLE t; --' AND x = 'a\\0b'") as Select;
    expect(strip(s.where)).toMatchObject({ left: { right: lit('string', '; DROP TABLE t; --') } });
  });

  it('never fails with anything but a structured error on random input', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    process.stdout.write(`sql parser fuzz: seed ${seed}\n`);
    const fragments = [
      'SELECT',
      '*',
      'FROM',
      't',
      'WHERE',
      '(',
      ')',
      'a',
      '=',
      '1',
      "'x'",
      'AND',
      'OR',
      'NOT',
      'JOIN',
      'ON',
      '.',
      ',',
      ';',
      'ORDER',
      'BY',
      'LIMIT',
      '"q"',
      '0x1',
      'IS',
      'NULL',
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom(...fragments), { maxLength: 30 }).map(a => a.join(' ')),
        ),
        text => {
          try {
            parseSql(text);
          } catch (err) {
            expect(err).toBeInstanceOf(WasmbaseError);
          }
        },
      ),
      { seed, numRuns: process.env['LONG_TESTS'] === '1' ? 50_000 : 2_000 },
    );
  });
});
