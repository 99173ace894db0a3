/**
 * The per-call states of a batch, derived as overlays of the snapshot after it, are exact: the
 * same seeded calls are committed one by one in one store (the ground truth: a snapshot after
 * each call) and as one batch in another, and every lookup of the TableReader contract (count,
 * scan, findUnique, scanIndexPoint, scanIndexRange forwards and backwards, with prefixes and
 * bounds) must answer the same on both, in the same order. The calls touch the same few rows
 * over and over (insert, update, delete, re-insert) in tables with and without a primary key.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type AlgebraicValue,
  type IndexSchema,
  type TableSchema,
} from '../../runtime/protocol/index.js';
import type { IndexRange, KeyBound, TableReader } from '../../runtime/store/index.js';
import { batchStates } from '../../runtime/subscribe/index.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { NONE, newStore, runBatch, some, type Write } from './subscribe-fixtures.js';
import { mulberry32 } from '../../bench/keynote/zipf.js';

const SEED = Number(process.env['SUBSCRIBE_STATES_SEED'] ?? Date.now() % 1_000_000_007);
const ROUNDS = process.env['LONG_TESTS'] === '1' ? 1_000 : 40;
console.log(
  `batch states test: seed ${SEED}, ${ROUNDS} batches (SUBSCRIBE_STATES_SEED=${SEED} to replay)`,
);

const schema = buildSchema([
  {
    name: 'm',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'a', type: T.u8, index: true },
      { name: 'b', type: T.u8 },
      { name: 'o', type: T.option(T.u8), index: true },
    ],
    multiIndexes: [['a', 'b']],
  },
  {
    name: 'n',
    columns: [
      { name: 'k', type: T.u8, index: true },
      { name: 'v', type: T.u8 },
    ],
  },
  {
    name: 'u',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'name', type: T.string, unique: true },
    ],
  },
]);

const rnd = mulberry32(SEED);
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
const NAMES = ['w', 'x', 'y', 'z'];

/** Rows each table holds after the last committed call (refreshed from the store). */
const known: Record<string, AlgebraicValue[][]> = { m: [], n: [], u: [] };

/**
 * A random write against `work` (the rows as the call so far left them), applied to it. Writes
 * mostly succeed (fresh keys for inserts, existing rows for updates and deletes) so that calls
 * commit and later calls of a batch touch the rows earlier ones did; a few collide on purpose.
 */
function randomWrite(work: Record<string, AlgebraicValue[][]>): Write {
  const table = pick(['m', 'm', 'n', 'u']);
  const rows = work[table]!;
  const existing = rows.length > 0 ? pick(rows) : undefined;
  const fresh = (): AlgebraicValue[] =>
    table === 'm'
      ? [int(0, 3), int(0, 3), int(0, 2), rnd() < 0.3 ? NONE : some(int(0, 2))]
      : table === 'n'
        ? [int(0, 3), int(0, 1)]
        : [int(0, 3), pick(NAMES)];
  const r = rnd();
  let w: Write;
  if (existing !== undefined && r < 0.3) w = { op: 'delete', table, row: existing };
  else if (existing !== undefined && r < 0.6 && table !== 'n') {
    const next = fresh();
    next[0] = existing[0]!;
    w = { op: 'update', table, row: next };
  } else {
    let row = fresh();
    // Mostly a key that is free (a collision rolls the whole call back).
    for (
      let tries = 0;
      tries < 5 &&
      rnd() < 0.9 &&
      rows.some(x =>
        table === 'n'
          ? JSON.stringify(x) === JSON.stringify(row)
          : x[0] === row[0] || (table === 'u' && x[1] === row[1]),
      );
      tries++
    )
      row = fresh();
    w = { op: 'insert', table, row };
  }
  const same = (x: AlgebraicValue[]): boolean =>
    table === 'n' ? JSON.stringify(x) === JSON.stringify(w.row) : x[0] === w.row[0];
  if (w.op === 'delete') work[table] = rows.filter(x => !same(x));
  else if (w.op === 'update') work[table] = [...rows.filter(x => !same(x)), [...w.row]];
  else if (!rows.some(same)) work[table] = [...rows, [...w.row]];
  return w;
}

function randomCall(): Write[] {
  const work = Object.fromEntries(Object.entries(known).map(([k, v]) => [k, [...v]]));
  return Array.from({ length: int(1, 4) }, () => randomWrite(work));
}

function refresh(reader: TableReader): void {
  for (const t of schema.tables) {
    known[t.name] = reader.scan(t.id).map(raw => decode(t, raw));
  }
}

const rowTypeOf = (t: TableSchema): AlgebraicType => ({
  tag: 'Product',
  elements: t.rowType.elements,
});
const decode = (t: TableSchema, raw: Uint8Array): AlgebraicValue[] =>
  decodeFromBytes(rowTypeOf(t), raw) as AlgebraicValue[];
const hex = (rows: readonly Uint8Array[]): string[] =>
  rows.map(r => Buffer.from(r).toString('hex'));

/** Values each column's keys range over (a little wider than the data, so misses happen). */
function domain(type: AlgebraicType): AlgebraicValue[] {
  if (type.tag === 'Sum') return [NONE, ...[0, 1, 3].map(some)];
  if (type.tag === 'String') return ['', 'x', 'y', 'z', 'zz'];
  return [0, 1, 2, 3, 7];
}

/** Everything a reader answers, as text: the same on two readers iff they hold the same state. */
function dump(reader: TableReader): string[] {
  const out: string[] = [];
  for (const t of schema.tables) {
    const ordered = t.primaryKey !== undefined;
    const norm = (rows: Uint8Array[]): string[] => (ordered ? hex(rows) : hex(rows).sort());
    out.push(
      `${t.name} count ${reader.count(t.id)}`,
      `${t.name} scan ${norm(reader.scan(t.id)).join(',')}`,
    );
    for (const ix of t.indexes) out.push(...dumpIndex(reader, t, ix, norm));
  }
  return out;
}

function dumpIndex(
  reader: TableReader,
  t: TableSchema,
  ix: IndexSchema,
  norm: (rows: Uint8Array[]) => string[],
): string[] {
  const out: string[] = [];
  const types = ix.columns.map(c => t.columns[c]!.type);
  const enc = (values: readonly AlgebraicValue[]): Uint8Array =>
    Buffer.concat(values.map((v, i) => encodeToBytes(types[i]!, v)));
  const first = domain(types[0]!);
  // A few bounds of each kind (open, inclusive, exclusive, outside the data) keep the dump small.
  const bounds = (type: AlgebraicType): KeyBound[] => {
    const [v0, v1, , v3] = domain(type);
    return [
      { kind: 'unbounded' },
      { kind: 'included', value: encodeToBytes(type, v1!) },
      { kind: 'excluded', value: encodeToBytes(type, v1!) },
      { kind: 'included', value: encodeToBytes(type, v3!) },
      { kind: 'excluded', value: encodeToBytes(type, v0!) },
    ];
  };
  const range = (label: string, r: IndexRange): void => {
    out.push(`${label} ${norm(reader.scanIndexRange(ix.id, r)).join(',')}`);
    out.push(`${label} reverse ${norm(reader.scanIndexRange(ix.id, r, true)).join(',')}`);
  };
  if (ix.columns.length === 1) {
    for (const v of first) {
      const key = enc([v]);
      out.push(
        `${ix.name} point ${JSON.stringify(v)} ${norm(reader.scanIndexPoint(ix.id, key)).join(',')}`,
      );
      if (ix.unique)
        out.push(
          `${ix.name} unique ${JSON.stringify(v)} ${hex([reader.findUnique(ix.id, key)].filter((x): x is Uint8Array => x !== undefined))}`,
        );
    }
  } else {
    for (const a of first)
      for (const b of domain(types[1]!))
        out.push(
          `${ix.name} point ${a}/${b} ${norm(reader.scanIndexPoint(ix.id, enc([a, b]))).join(',')}`,
        );
    const b1 = bounds(types[1]!);
    for (const a of first.slice(0, 3))
      for (const lo of [b1[0]!, b1[1]!, b1[2]!])
        for (const hi of [b1[0]!, b1[1]!, b1[3]!]) {
          range(
            `${ix.name} prefix ${JSON.stringify(a)} ${JSON.stringify(lo)} ${JSON.stringify(hi)}`,
            { prefix: enc([a]), prefixElems: 1, start: lo, end: hi },
          );
        }
  }
  const b0 = bounds(types[0]!);
  for (const [i, j] of [
    [0, 0],
    [1, 0],
    [2, 3],
    [0, 4],
    [4, 2],
    [1, 1],
    [2, 2],
    [3, 1],
  ] as const) {
    range(`${ix.name} range ${i} ${j}`, {
      prefix: new Uint8Array(0),
      prefixElems: 0,
      start: b0[i]!,
      end: b0[j]!,
    });
  }
  return out;
}

describe('batch states', () => {
  it(
    'match a snapshot taken after each call, for every lookup',
    () => {
      const truth = newStore(schema);
      const batched = newStore(schema);
      let compared = 0;
      let touchedTwice = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Ground truth: each call committed alone, a dump after each.
        const first = truth.read();
        const expected = [dump(first)];
        first.close();
        const committed: Write[][] = [];
        for (let c = int(2, 6); c > 0; c--) {
          const call = randomCall();
          const { calls: changes, after } = runBatch(truth, [call]);
          if (changes.length === 1) {
            committed.push(call);
            expected.push(dump(after));
          }
          refresh(after);
          after.close();
        }
        // The same committed calls as one batch, and the states derived from its snapshot.
        const { calls: changes, after } = runBatch(batched, committed);
        expect(changes).toHaveLength(committed.length);
        const seen = new Map<string, number>();
        for (const c of changes)
          for (const tc of c)
            for (const r of [...tc.inserts, ...tc.deletes])
              seen.set(
                Buffer.from(r).toString('hex'),
                (seen.get(Buffer.from(r).toString('hex')) ?? 0) + 1,
              );
        touchedTwice += [...seen.values()].filter(n => n > 1).length;
        const states = batchStates(schema, changes, after);
        expect(states).toHaveLength(expected.length);
        states.forEach((state, i) => {
          const got = dump(state);
          if (got.join('\n') !== expected[i]!.join('\n')) {
            const at = got.findIndex((line, k) => line !== expected[i]![k]);
            throw new Error(
              `seed ${SEED}, round ${round}, state ${i}: ${got[at]} but a snapshot says ${expected[i]![at]}`,
            );
          }
          compared += got.length;
        });
        after.close();
      }
      console.log(
        `batch states test: ${compared} lookups compared, ${touchedTwice} rows changed by several calls of one batch`,
      );
      // The test must exercise rows changed by several calls of one batch.
      expect(touchedTwice).toBeGreaterThan(ROUNDS / 4);
      expect(compared).toBeGreaterThan(ROUNDS * 100);
    },
    60_000 + ROUNDS * 1_000,
  );
});
