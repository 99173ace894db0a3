/**
 * @module
 * SQL benchmarks (tinybench) on the real LMDB store, 100k rows per table: point query by
 * primary key, range scans by index, a 2-table index join, ORDER BY … LIMIT over 1,000 rows and
 * over the whole table (index order and top-k sort), LIMIT with a filter no index answers, an
 * OR of indexed equalities (index union), and COUNT(*). Each op is a whole `runSql` (parse,
 * bind, plan, execute on a fresh read snapshot, build result rows); each case's row count is
 * checked before it is timed.
 *
 *   npm run build && node dist/bench/sql.bench.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import type { DatabaseHandle } from '../runtime/host/index.js';
import {
  encodeToBytes,
  Identity,
  moduleDefFromJson,
  resolveModuleSchema,
} from '../runtime/protocol/index.js';
import { runSql } from '../runtime/api/index.js';
import { openDatabaseStore, type ReadTx } from '../runtime/store/index.js';

const N = 100_000;
const some = (v: unknown) => ({ some: v });
const none = { none: [] };
const u32 = { U32: [] };
const col = (name: string, type: unknown) => ({ name: some(name), algebraic_type: type });
const btree = (table: string, c: string, j: number) => ({
  name: some(`${table}_${c}_idx`),
  accessor_name: some(c),
  algorithm: { BTree: { columns: [j] } },
});
const table = (name: string, ref: number, indexes: unknown[]) => ({
  name,
  product_type_ref: ref,
  primary_key: [0],
  indexes,
  constraints: [{ name: some(`${name}_id_key`), data: { Unique: { columns: [0] } } }],
  sequences: [],
  schedule: none,
  table_type: { User: [] },
  table_access: { Public: [] },
});
const schema = resolveModuleSchema(
  moduleDefFromJson({
    typespace: {
      types: [
        {
          Product: {
            elements: [
              col('id', u32),
              col('age', u32),
              col('name', { String: [] }),
              col('city', u32),
            ],
          },
        },
        { Product: { elements: [col('id', u32), col('owner', u32), col('kind', { String: [] })] } },
      ],
    },
    tables: [
      table('person', 0, [btree('person', 'id', 0), btree('person', 'age', 1)]),
      table('pet', 1, [btree('pet', 'id', 0), btree('pet', 'owner', 1)]),
    ],
    reducers: [],
    types: [],
    misc_exports: [],
    row_level_security: [],
  }),
);

const dir = mkdtempSync(path.join(tmpdir(), 'wasmbase-sql-bench-'));
const store = openDatabaseStore(dir, schema);
{
  const personType = { tag: 'Product', elements: schema.tables[0]!.rowType.elements } as const;
  const petType = { tag: 'Product', elements: schema.tables[1]!.rowType.elements } as const;
  const tx = store.beginBatch();
  tx.beginCall();
  for (let i = 0; i < N; i++) {
    tx.insert(
      0,
      encodeToBytes(personType, [
        i,
        (i * 7919) % 100,
        `person number ${(i * 104729) % N}`,
        i % 1000,
      ]),
    );
    tx.insert(1, encodeToBytes(petType, [i, (i * 31) % N, i % 2 === 0 ? 'cat' : 'dog']));
  }
  tx.commitCall();
  await store.commit(tx.finish()).durable;
}

/** What the bench does not use throws, so a change that starts using it shows up here. */
const unused = (what: string) => (): never => {
  throw new Error(`the SQL bench's database handle has no ${what}`);
};
const handle: DatabaseHandle = {
  get info(): DatabaseHandle['info'] {
    return unused('info')();
  },
  schema,
  submit: unused('submit'),
  call: unused('call'),
  read<T>(fn: (tx: ReadTx) => T): T {
    const r = store.read();
    try {
      return fn(r);
    } finally {
      r.close();
    }
  },
  readAsync: unused('readAsync'),
  transact: unused('transact'),
  onPublished: unused('onPublished'),
};
const caller = { identity: Identity.ZERO, isOwner: true };
const options = { rowLimit: 100_000 };
let i = 0;
const next = (): number => (i = (i * 1103515245 + 12345) % N);

/** Runs a case once and checks its row count, so a plan regression cannot pass as a speedup. */
async function checkRows(name: string, sql: () => string, expectRows: number): Promise<void> {
  const rows = (await runSql(handle, sql(), caller, options))[0]!.rows.length;
  if (rows !== expectRows) throw new Error(`${name}: ${rows} rows, expected ${expectRows}`);
}

const cases: [string, () => string, number][] = [
  ['point query by primary key', () => `SELECT * FROM person WHERE id = ${next()}`, 1],
  ['range scan by index: age = 42 (1,000 rows)', () => 'SELECT * FROM person WHERE age = 42', 1000],
  [
    'range scan by primary key: 100 rows',
    () => {
      const a = next() % (N - 100);
      return `SELECT * FROM person WHERE id >= ${a} AND id < ${a + 100}`;
    },
    100,
  ],
  [
    '2-table index join (1,000 outer rows)',
    () => 'SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id WHERE p.age = 42',
    1000,
  ],
  [
    'ORDER BY name LIMIT 10 over 1,000 rows (age = 42, top-k)',
    () => 'SELECT * FROM person WHERE age = 42 ORDER BY name LIMIT 10',
    10,
  ],
  [
    'ORDER BY indexed age DESC LIMIT 10 over 100k rows (index order)',
    () => 'SELECT * FROM person ORDER BY age DESC LIMIT 10',
    10,
  ],
  [
    'ORDER BY indexed age DESC LIMIT 1,000 over 100k rows (index order)',
    () => 'SELECT * FROM person ORDER BY age DESC LIMIT 1000',
    1000,
  ],
  [
    'ORDER BY name LIMIT 10 over 100k rows (top-k)',
    () => 'SELECT * FROM person ORDER BY name LIMIT 10',
    10,
  ],
  [
    'ORDER BY name LIMIT 1,000 over 100k rows (top-k)',
    () => 'SELECT * FROM person ORDER BY name LIMIT 1000',
    1000,
  ],
  [
    'LIMIT 10 with a filter no index answers (stops after 9,008 rows)',
    () => 'SELECT * FROM person WHERE city = 7 LIMIT 10',
    10,
  ],
  [
    'OR of two indexed equalities (index union, 2,000 rows)',
    () => 'SELECT * FROM person WHERE age = 1 OR age = 2',
    2000,
  ],
  ['COUNT(*) of 100k rows', () => 'SELECT COUNT(*) AS n FROM person', 1],
];
for (const [name, sql, n] of cases) await checkRows(name, sql, n);

// At least 10 runs of each case and one second, whichever is longer.
const bench = new Bench({ time: 1000, iterations: 10, throws: true });
for (const [name, sql] of cases)
  bench.add(name, async () => void (await runSql(handle, sql(), caller, options)));
await bench.run();
const cpu = cpus();
process.stdout.write(
  `SQL on the LMDB store, ${N.toLocaleString('en-US')} rows per table ` +
    `(Node ${process.version}, ${cpu.length} cores, ${cpu[0]?.model.trim() ?? 'unknown CPU'})\n\n`,
);
process.stdout.write('| benchmark | ops/s | mean ms |\n| --- | ---: | ---: |\n');
for (const task of bench.tasks) {
  const r = task.result as
    { throughput?: { mean: number }; latency?: { mean: number } } | undefined;
  process.stdout.write(
    `| ${task.name} | ${Math.round(r?.throughput?.mean ?? 0).toLocaleString('en-US')} | ` +
      `${(r?.latency?.mean ?? 0).toFixed(3)} |\n`,
  );
}
await store.close();
rmSync(dir, { recursive: true, force: true });
