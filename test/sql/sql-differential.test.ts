/**
 * Differential test: random queries over random data, checked against a small reference
 * evaluator written here independently of the engine (plain objects, naive loops, its own
 * three-valued logic and ordering). Runs on both store backends. Seeded; the seed is printed;
 * LONG_TESTS=1 runs ten times as many cases.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlgebraicValue } from '../../runtime/protocol/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { BACKENDS, rowsOf, type TestDb } from './sql-fixtures.js';
import { mulberry32 } from '../../bench/keynote/zipf.js';

const SEED = Number(process.env['SQL_DIFF_SEED'] ?? Date.now() % 1_000_000_007);
const RUNS = process.env['LONG_TESTS'] === '1' ? 20_000 : 2_000;
console.log(
  `sql differential test: seed ${SEED}, ${RUNS} cases per backend (SQL_DIFF_SEED=${SEED} to replay)`,
);

const schema = buildSchema([
  {
    name: 't',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'a', type: T.u8, index: true },
      { name: 'b', type: T.i32 },
      { name: 's', type: T.string, index: true },
      { name: 'o', type: T.option(T.u8), index: true },
      { name: 'f', type: T.f64 },
    ],
    multiIndexes: [['a', 'b']],
  },
  {
    name: 'u',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'tid', type: T.u32, index: true },
      { name: 'c', type: T.u8 },
      { name: 'o', type: T.option(T.u8) },
    ],
  },
]);

type V = number | string | null;
type Row = Record<string, V>;
const STRINGS = ['', 'a', 'ab', 'b', 'B', 'é', 'z\u{1F600}', '\u{FF41}', "it's"];
const FLOATS = [-1.5, 0, 2.25, 3, 1e10, -7];

const rnd = mulberry32(SEED);
const pick = <X>(xs: readonly X[], r: () => number = rnd): X => xs[Math.floor(r() * xs.length)]!;
const int = (lo: number, hi: number, r: () => number = rnd): number =>
  lo + Math.floor(r() * (hi - lo + 1));

const tRows: Row[] = Array.from({ length: 60 }, (_, i) => ({
  id: i * 3 + 1,
  a: int(0, 9),
  b: int(-5, 5),
  s: pick(STRINGS),
  o: rnd() < 0.3 ? null : int(0, 5),
  f: pick(FLOATS),
}));
const uRows: Row[] = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  tid: int(0, 70) * 3 + 1,
  c: int(0, 9),
  o: rnd() < 0.3 ? null : int(0, 5),
}));
const opt = (v: V): AlgebraicValue => (v === null ? { tag: 1, value: [] } : { tag: 0, value: v });
const DATA = {
  t: tRows.map(
    r => [r['id']!, r['a']!, r['b']!, r['s']!, opt(r['o']!), r['f']!] as AlgebraicValue[],
  ),
  u: uRows.map(r => [r['id']!, r['tid']!, r['c']!, opt(r['o']!)] as AlgebraicValue[]),
};

// ---- the reference evaluator -------------------------------------------------------------

type Col = { table: 't' | 'u'; name: string };
const COLS: Record<'t' | 'u', { name: string; kind: 'int' | 'str' | 'opt' | 'float' }[]> = {
  t: [
    { name: 'id', kind: 'int' },
    { name: 'a', kind: 'int' },
    { name: 'b', kind: 'int' },
    { name: 's', kind: 'str' },
    { name: 'o', kind: 'opt' },
    { name: 'f', kind: 'float' },
  ],
  u: [
    { name: 'id', kind: 'int' },
    { name: 'tid', kind: 'int' },
    { name: 'c', kind: 'int' },
    { name: 'o', kind: 'opt' },
  ],
};
type Pred =
  | { k: 'cmp'; col: Col; op: string; lit: V }
  | { k: 'colcmp'; l: Col; op: string; r: Col }
  | { k: 'null'; col: Col; neg: boolean }
  | { k: 'not'; e: Pred }
  | { k: 'and' | 'or'; l: Pred; r: Pred }
  | { k: 'bool'; v: boolean };

function cmpRef(x: V, y: V): number {
  if (typeof x === 'string' && typeof y === 'string') {
    const a = Array.from(x, c => c.codePointAt(0)!);
    const b = Array.from(y, c => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  return (x as number) - (y as number);
}

/** Order for ORDER BY: NULL after every value. */
function orderRef(x: V, y: V): number {
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return Math.sign(cmpRef(x, y));
}

function opRef(op: string, c: number): boolean {
  return { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[op]!;
}

type Env = Partial<Record<'t' | 'u', Row>>;
function evalRef(p: Pred, env: Env): boolean | null {
  switch (p.k) {
    case 'bool':
      return p.v;
    case 'cmp': {
      const v = env[p.col.table]![p.col.name]!;
      if (v === null || p.lit === null) return null;
      return opRef(p.op, cmpRef(v, p.lit));
    }
    case 'colcmp': {
      const x = env[p.l.table]![p.l.name]!;
      const y = env[p.r.table]![p.r.name]!;
      if (x === null || y === null) return null;
      return opRef(p.op, cmpRef(x, y));
    }
    case 'null':
      return (env[p.col.table]![p.col.name] === null) !== p.neg;
    case 'not': {
      const v = evalRef(p.e, env);
      return v === null ? null : !v;
    }
    case 'and': {
      const l = evalRef(p.l, env);
      const r = evalRef(p.r, env);
      if (l === false || r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evalRef(p.l, env);
      const r = evalRef(p.r, env);
      if (l === true || r === true) return true;
      return l === null || r === null ? null : false;
    }
  }
}

// ---- random queries ---------------------------------------------------------------------

function litFor(kind: string, r: () => number): V {
  switch (kind) {
    case 'int':
      return int(0, 12, r);
    case 'str':
      return pick(STRINGS, r);
    case 'opt':
      return r() < 0.1 ? null : int(0, 6, r);
    default:
      return pick([...FLOATS, 1, 2.5], r);
  }
}

function litText(v: V, kind: string): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (kind === 'float' && Number.isInteger(v) && Math.abs(v) < 1e6) return `${v}.0`;
  return String(v);
}

function randomPred(tables: ('t' | 'u')[], depth: number, r: () => number): Pred {
  const roll = r();
  if (depth > 0 && roll < 0.3)
    return {
      k: pick(['and', 'or'] as const, r),
      l: randomPred(tables, depth - 1, r),
      r: randomPred(tables, depth - 1, r),
    };
  if (depth > 0 && roll < 0.38) return { k: 'not', e: randomPred(tables, depth - 1, r) };
  if (roll < 0.41) return { k: 'bool', v: r() < 0.5 };
  const table = pick(tables, r);
  const c = pick(COLS[table], r);
  if (c.kind === 'opt' && r() < 0.3)
    return { k: 'null', col: { table, name: c.name }, neg: r() < 0.5 };
  const op = pick(['=', '=', '!=', '<', '<=', '>', '>='], r);
  if (r() < 0.15) {
    // compare with another column of a compatible type
    const kinds = c.kind === 'opt' || c.kind === 'int' ? ['int', 'opt'] : [c.kind];
    const numeric = c.kind === 'int' || c.kind === 'opt';
    const others = tables.flatMap(tb =>
      COLS[tb]
        .filter(x => kinds.includes(x.kind) && (!numeric || sameIntType(c.name, x.name)))
        .map(x => ({ table: tb, name: x.name })),
    );
    const other = pick(others, r);
    if (other !== undefined) return { k: 'colcmp', l: { table, name: c.name }, op, r: other };
  }
  let lit = litFor(c.kind, r);
  if (c.name === 'b' && typeof lit === 'number') lit = lit - 6;
  return { k: 'cmp', col: { table, name: c.name }, op, lit };
}

/** An OR of comparisons on indexed columns of `t` (read as an index union), sometimes AND-ed with more. */
function randomIndexedOr(tables: ('t' | 'u')[], r: () => number): Pred {
  const leaf = (): Pred => {
    const c = pick(
      COLS.t.filter(x => ['id', 'a', 's', 'o'].includes(x.name)),
      r,
    );
    return {
      k: 'cmp',
      col: { table: 't', name: c.name },
      op: pick(['=', '=', '=', '<', '>=', '>'], r),
      lit: litFor(c.kind, r),
    };
  };
  let p: Pred = { k: 'or', l: leaf(), r: leaf() };
  if (r() < 0.4)
    p = {
      k: 'or',
      l: p,
      r: r() < 0.5 ? leaf() : { k: 'and', l: leaf(), r: randomPred(['t'], 0, r) },
    };
  return r() < 0.3 ? { k: 'and', l: p, r: randomPred(tables, 1, r) } : p;
}

/** Integer columns are comparable only when their types are equal (u8: a, c, o; u32: id, tid; i32: b). */
function sameIntType(x: string, y: string): boolean {
  const ty = (n: string): string =>
    n === 'a' || n === 'c' || n === 'o' ? 'u8' : n === 'b' ? 'i32' : 'u32';
  return ty(x) === ty(y);
}

function predText(p: Pred): string {
  const col = (c: Col): string => `${c.table}.${c.name}`;
  switch (p.k) {
    case 'bool':
      return String(p.v);
    case 'cmp':
      return `${col(p.col)} ${p.op === '!=' && p.lit !== null && typeof p.lit === 'number' && p.lit % 2 === 0 ? '<>' : p.op} ${litText(p.lit, COLS[p.col.table].find(c => c.name === p.col.name)!.kind)}`;
    case 'colcmp':
      return `${col(p.l)} ${p.op} ${col(p.r)}`;
    case 'null':
      return `${col(p.col)} IS ${p.neg ? 'NOT ' : ''}NULL`;
    case 'not':
      return `NOT (${predText(p.e)})`;
    case 'and':
    case 'or':
      return `(${predText(p.l)}) ${p.k.toUpperCase()} (${predText(p.r)})`;
  }
}

interface Query {
  sql: string;
  expected: V[][];
  /** The reference rows before OFFSET and LIMIT. */
  all: V[][];
  orderKeys: number;
  limited: boolean;
  exact: boolean;
}

function randomQuery(seed: number): Query {
  const r = mulberry32(seed);
  const join = r() < 0.35;
  const tables: ('t' | 'u')[] = join ? ['t', 'u'] : ['t'];
  const on: Pred[] = [];
  if (join) {
    const kind = int(0, 3, r);
    if (kind === 0 || kind === 3)
      on.push({
        k: 'colcmp',
        l: { table: 'u', name: 'tid' },
        op: '=',
        r: { table: 't', name: 'id' },
      });
    if (kind === 1 || kind === 3)
      on.push({ k: 'colcmp', l: { table: 'u', name: 'c' }, op: '=', r: { table: 't', name: 'a' } });
    if (kind === 2)
      on.push({ k: 'colcmp', l: { table: 'u', name: 'o' }, op: '=', r: { table: 't', name: 'o' } });
  }
  const shape = r();
  const where =
    shape < 0.15
      ? randomIndexedOr(tables, r)
      : shape < 0.87
        ? randomPred(tables, int(0, 3, r), r)
        : undefined;
  const count = r() < 0.1;
  const order: { col: Col; desc: boolean }[] = [];
  if (!count && r() < 0.6) {
    const n = int(1, 2, r);
    for (let i = 0; i < n; i++) {
      const table = pick(tables, r);
      order.push({ col: { table, name: pick(COLS[table], r).name }, desc: r() < 0.4 });
    }
    if (r() < 0.5)
      for (const tb of tables) order.push({ col: { table: tb, name: 'id' }, desc: r() < 0.5 });
  }
  const limit = r() < 0.4 ? int(0, 30, r) : undefined;
  const offset = limit !== undefined && r() < 0.4 ? int(0, 20, r) : undefined;
  const extra: Col[] = Array.from({ length: int(1, 3, r) }, () => {
    const table = pick(tables, r);
    return { table, name: pick(COLS[table], r).name };
  });
  const projection = [...order.map(o => o.col), ...extra];

  // reference evaluation
  let envs: Env[] = tRows.map(t => ({ t }));
  if (join)
    envs = envs.flatMap(e =>
      uRows.map(u => ({ ...e, u })).filter(x => on.every(p => evalRef(p, x) === true)),
    );
  if (where !== undefined) envs = envs.filter(e => evalRef(where, e) === true);
  let expected: V[][];
  if (count) expected = [[envs.length]];
  else {
    if (order.length > 0) {
      envs = [...envs].sort((x, y) => {
        for (const o of order) {
          const c = orderRef(x[o.col.table]![o.col.name]!, y[o.col.table]![o.col.name]!);
          if (c !== 0) return o.desc ? -c : c;
        }
        return 0;
      });
    }
    expected = envs.map(e => projection.map(c => e[c.table]![c.name]!));
  }
  const all = expected;
  if (offset !== undefined) expected = expected.slice(offset);
  if (limit !== undefined) expected = expected.slice(0, limit);

  const select = count ? 'COUNT(*) AS n' : projection.map(c => `${c.table}.${c.name}`).join(', ');
  const sql =
    `SELECT ${select} FROM t` +
    (join ? ` JOIN u ON ${on.map(predText).join(' AND ')}` : '') +
    (where !== undefined ? ` WHERE ${predText(where)}` : '') +
    (order.length > 0
      ? ` ORDER BY ${order.map(o => `${o.col.table}.${o.col.name}${o.desc ? ' DESC' : r() < 0.3 ? ' ASC' : ''}`).join(', ')}`
      : '') +
    (limit !== undefined ? ` LIMIT ${limit}` : '') +
    (offset !== undefined ? ` OFFSET ${offset}` : '');
  const exact =
    count ||
    (order.some(o => o.col.table === 't' && o.col.name === 'id') &&
      (!join || order.some(o => o.col.table === 'u' && o.col.name === 'id')));
  return { sql, expected, all, orderKeys: order.length, limited: limit !== undefined, exact };
}

const key = (row: unknown): string => JSON.stringify(row);
function multiset(rows: readonly unknown[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
}

/** Checks engine rows against the reference, allowing any order among ties. */
function check(q: Query, got: unknown[], all: V[][]): void {
  if (q.exact) {
    expect(got, q.sql).toEqual(q.expected);
    return;
  }
  expect(got.length, q.sql).toBe(q.expected.length);
  if (q.orderKeys > 0)
    expect(
      got.map(r => (r as V[]).slice(0, q.orderKeys)),
      q.sql,
    ).toEqual(q.expected.map(r => r.slice(0, q.orderKeys)));
  if (!q.limited) {
    expect(multiset(got), q.sql).toEqual(multiset(q.expected));
    return;
  }
  // With LIMIT and ties, any rows of the full result may fill the tie: each must be one of them.
  const pool = multiset(all);
  for (const r of got) {
    const n = pool.get(key(r)) ?? 0;
    expect(n, `${q.sql}: unexpected row ${key(r)}`).toBeGreaterThan(0);
    pool.set(key(r), n - 1);
  }
}

describe.each(BACKENDS)('SQL differential test on the $name', backend => {
  let db: TestDb;
  beforeAll(async () => {
    db = await backend.open(schema, DATA);
  });

  it(
    `agrees with the reference evaluator on ${RUNS} random queries`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async qseed => {
          const q = randomQuery(qseed);
          const got = await rowsOf(db, q.sql, { rowLimit: 100_000 });
          check(q, got, q.all);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    30_000 + RUNS * 5,
  );
});
