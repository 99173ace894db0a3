/**
 * Streaming and early stop: on 10,000 rows, counts the rows the executor pulls from the store
 * (through a counting TableReader) and checks that LIMIT stops the reads, that an index-ordered
 * ORDER BY … LIMIT reads only what it returns, that COUNT(*) reads no rows, that every lazy read
 * is closed, and that the answers equal those of the array (non-lazy) path and of plain JS.
 * Runs on both store backends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import { compileSql, executeSelect, type SelectPlan } from '../../runtime/sql/index.js';
import type { TableReader } from '../../runtime/store/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { ArrayCountingReader, LazyCountingReader } from './counting-reader.js';
import { BACKENDS, type TestDb } from './sql-fixtures.js';

const N = 10_000;
const schema = buildSchema([
  {
    name: 'item',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'grp', type: T.u32, index: true },
      { name: 'tag', type: T.u32 },
      { name: 'name', type: T.string },
    ],
  },
]);

interface Item {
  id: number;
  grp: number;
  tag: number;
  name: string;
}
const items: Item[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  grp: i % 100,
  tag: i % 1000,
  name: String((i * 7919) % 10_007).padStart(5, '0'),
}));
const DATA = { item: items.map(r => [r.id, r.grp, r.tag, r.name] as AlgebraicValue[]) };

const byName = (a: Item, b: Item): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const ids = (rows: readonly Item[]): number[] => rows.map(r => r.id);

interface Case {
  readonly sql: string;
  /** The first output column of each row, computed here in plain JS. */
  readonly expected: readonly unknown[];
  /** Exactly how many rows the executor may pull from the store. */
  readonly reads: number;
}

const CASES: readonly Case[] = [
  { sql: 'SELECT id FROM item ORDER BY id LIMIT 5', expected: [0, 1, 2, 3, 4], reads: 5 },
  {
    sql: 'SELECT id FROM item ORDER BY id DESC LIMIT 5',
    expected: [9999, 9998, 9997, 9996, 9995],
    reads: 5,
  },
  { sql: 'SELECT id FROM item LIMIT 5 OFFSET 10', expected: [10, 11, 12, 13, 14], reads: 15 },
  {
    sql: 'SELECT id FROM item WHERE id >= 500 AND id < 9000 LIMIT 4',
    expected: [500, 501, 502, 503],
    reads: 4,
  },
  // A selective filter no index answers: the scan stops at the 5th match (id 4007).
  {
    sql: 'SELECT id FROM item WHERE tag = 7 LIMIT 5',
    expected: [7, 1007, 2007, 3007, 4007],
    reads: 4008,
  },
  { sql: 'SELECT id FROM item WHERE grp = 3 LIMIT 5', expected: [3, 103, 203, 303, 403], reads: 5 },
  {
    sql: 'SELECT grp FROM item WHERE grp >= 98 ORDER BY grp DESC LIMIT 3',
    expected: [99, 99, 99],
    reads: 3,
  },
  {
    sql: 'SELECT grp FROM item ORDER BY grp LIMIT 150',
    expected: [...Array<number>(100).fill(0), ...Array<number>(50).fill(1)],
    reads: 150,
  },
  // Index join: 5 outer rows in primary-key order, each with one unique lookup.
  {
    sql: 'SELECT a.id, b.tag FROM item a JOIN item b ON b.id = a.grp ORDER BY a.id LIMIT 5',
    expected: [0, 1, 2, 3, 4],
    reads: 10,
  },
  {
    sql: 'SELECT id FROM item WHERE grp = 1 OR grp = 2 LIMIT 3',
    expected: [1, 101, 201],
    reads: 3,
  },
  { sql: 'SELECT COUNT(*) AS n FROM item', expected: [BigInt(N)], reads: 0 },
  // No index gives the order: every row is read once, a top-k heap keeps 5.
  {
    sql: 'SELECT id FROM item ORDER BY name LIMIT 5',
    expected: ids([...items].sort(byName).slice(0, 5)),
    reads: N,
  },
  {
    sql: 'SELECT id FROM item ORDER BY name DESC LIMIT 3 OFFSET 2',
    expected: ids([...items].sort(byName).reverse().slice(2, 5)),
    reads: N,
  },
  // Ties keep access (primary-key) order, exactly as a full stable sort would.
  {
    sql: 'SELECT id FROM item ORDER BY tag LIMIT 7',
    expected: [0, 1000, 2000, 3000, 4000, 5000, 6000],
    reads: N,
  },
  {
    sql: 'SELECT id FROM item WHERE grp = 5 ORDER BY name LIMIT 2',
    expected: ids(
      items
        .filter(r => r.grp === 5)
        .sort(byName)
        .slice(0, 2),
    ),
    reads: 100,
  },
  {
    sql: 'SELECT id FROM item WHERE grp = 4 OR tag = 4',
    expected: ids(items.filter(r => r.grp === 4 || r.tag === 4)),
    reads: N,
  },
  {
    sql: 'SELECT id FROM item WHERE grp = 4 OR grp = 5 OR id < 3',
    expected: [
      ...ids(items.filter(r => r.grp === 4)),
      ...ids(items.filter(r => r.grp === 5)),
      0,
      1,
      2,
    ],
    reads: 203,
  },
];

function plan(sql: string): SelectPlan {
  return compileSql(schema, sql, { isOwner: true })[0] as SelectPlan;
}

function run<R extends ArrayCountingReader>(
  db: TestDb,
  sql: string,
  wrap: (tx: TableReader) => R,
  rowLimit = 100_000,
): { rows: unknown[]; reader: R } {
  return db.handle.read(tx => {
    const reader = wrap(tx);
    const rows = executeSelect(plan(sql), reader, { rowLimit }).map(r => r[0]);
    return { rows, reader };
  });
}

describe.each(BACKENDS)('SQL streaming on the $name', backend => {
  let db: TestDb;
  beforeAll(async () => {
    db = await backend.open(schema, DATA);
  }, 60_000);

  it.each(CASES)('$sql reads $reads rows', c => {
    const lazy = run(db, c.sql, tx => new LazyCountingReader(tx));
    expect(lazy.rows).toEqual(c.expected);
    expect(lazy.reader.rowsRead).toBe(c.reads);
    expect(lazy.reader.open).toBe(0);
    // The array path (readers without lazy methods) gives the same answer.
    expect(run(db, c.sql, tx => new ArrayCountingReader(tx)).rows).toEqual(c.expected);
  });

  it('answers COUNT(*) of a whole table from the row count', () => {
    const r = run(db, 'SELECT COUNT(*) AS n FROM item', tx => new LazyCountingReader(tx));
    expect(r.reader.countCalls).toBe(1);
    expect(r.reader.iterations).toBe(0);
  });

  it('keeps the row limit: fails once the limit is crossed, without reading the rest', () => {
    for (const sql of [
      'SELECT id FROM item',
      'SELECT id FROM item ORDER BY name',
      'SELECT id FROM item ORDER BY id DESC LIMIT 500',
    ]) {
      let reader: LazyCountingReader | undefined;
      let error: unknown;
      try {
        run(db, sql, tx => (reader = new LazyCountingReader(tx)), 100);
      } catch (err) {
        error = err;
      }
      expect(error, sql).toMatchObject({ code: 'SQL_ROW_LIMIT', details: { limit: 100 } });
      expect(reader!.rowsRead, sql).toBe(101);
      expect(reader!.open, sql).toBe(0);
    }
    // Within the limit, ORDER BY … LIMIT over a larger input is fine.
    expect(
      run(db, 'SELECT id FROM item ORDER BY name LIMIT 50', tx => new LazyCountingReader(tx), 100)
        .rows,
    ).toHaveLength(50);
  });
});
