/**
 * Lazy store reads (`iterateScan`, `iterateIndexPoint`, `iterateIndexRange`): the same rows as
 * the array methods on the LMDB snapshot and on batch overlays, forwards, backwards and cut to
 * a limit; reads that stop early pull only what they return from the key/value layer; and the
 * overlay's merge of pending writes agrees with a plain model (seeded property test; the seed
 * is printed; LONG_TESTS=1 runs ten times as many cases).
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import {
  lazyIndexPoint,
  lazyIndexRange,
  lazyScan,
  openDatabaseStore,
  type DatabaseStore,
  type IndexRange,
  type TableReader,
} from '../../runtime/store/index.js';
import { OverlayBatchTx } from '../../runtime/store/batch-tx.js';
import { buildLayout } from '../../runtime/store/database-store.js';
import { keyString, OverlayKv, type KvEntry, type KvReader } from '../../runtime/store/kv.js';
import { TableView } from '../../runtime/store/table-view.js';
import { forEachWrite } from '../../runtime/store/write-set.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { tempDir } from '../helpers/temp-dir.js';

const SEED = Number(process.env['STORE_LAZY_SEED'] ?? Date.now() % 1_000_000_007);
const RUNS = process.env['LONG_TESTS'] === '1' ? 3_000 : 300;
console.log(
  `lazy store reads property test: seed ${SEED}, ${RUNS} runs (STORE_LAZY_SEED=${SEED} to replay)`,
);

const N = 2_000;
const schema = buildSchema([
  {
    name: 'item',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'grp', type: T.u32, index: true },
      { name: 'name', type: T.string },
    ],
  },
  { name: 'log', columns: [{ name: 'line', type: T.string }] },
]);
const item = schema.tables[0]!;
const log = schema.tables[1]!;
const pk = item.primaryIndex!.id;
const grp = item.indexes.find(ix => ix.name === 'item_grp_idx_btree')!.id;
const rowType = (t: typeof item): AlgebraicType => ({
  tag: 'Product',
  elements: t.rowType.elements,
});
const itemRow = (i: number): Uint8Array => encodeToBytes(rowType(item), [i, i % 10, `n${i}`]);
const idOf = (row: Uint8Array): number =>
  (decodeFromBytes(rowType(item), row) as AlgebraicValue[])[0] as number;
const u32 = (n: number): Uint8Array => encodeToBytes({ tag: 'U32' }, n);
const range = (
  lo: number | undefined,
  hi: number | undefined,
  index = grp,
): [number, IndexRange] => [
  index,
  {
    prefix: new Uint8Array(0),
    prefixElems: 0,
    start: lo === undefined ? { kind: 'unbounded' } : { kind: 'included', value: u32(lo) },
    end: hi === undefined ? { kind: 'unbounded' } : { kind: 'excluded', value: u32(hi) },
  },
];

function take(rows: Iterable<Uint8Array>, n: number): number[] {
  const out: number[] = [];
  if (n <= 0) return out;
  for (const r of rows) {
    out.push(idOf(r));
    if (out.length >= n) break;
  }
  return out;
}

/** An in-memory key/value reader that counts the entries and lookups it serves. */
class CountingKv implements KvReader {
  pulled = 0;
  gets = 0;
  readonly #keys: string[];
  readonly #map: Map<string, Uint8Array>;

  constructor(entries: Map<string, Uint8Array>) {
    this.#map = entries;
    this.#keys = [...entries.keys()].sort();
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.gets++;
    return this.#map.get(keyString(key));
  }

  range(start: Uint8Array, end: Uint8Array, reverse = false): KvEntry[] {
    return Array.from(this.iterate(start, end, reverse));
  }

  *iterate(
    start: Uint8Array,
    end: Uint8Array,
    reverse = false,
    limit = Infinity,
  ): Generator<KvEntry> {
    const lo = keyString(start);
    const hi = keyString(end);
    const inRange = this.#keys.filter(k => k >= lo && k < hi);
    if (reverse) inRange.reverse();
    let n = 0;
    for (const k of inRange) {
      if (n++ >= limit) return;
      this.pulled++;
      yield { key: Uint8Array.from(Buffer.from(k, 'latin1')), value: this.#map.get(k)! };
    }
  }
}

/** The committed key/value entries of `N` items and 5 log lines, built through a batch. */
function committedEntries(): Map<string, Uint8Array> {
  const { layout } = buildLayout(schema, { tables: {}, indexes: {}, next: 1 });
  const tx = new OverlayBatchTx(layout, new CountingKv(new Map()));
  tx.beginCall();
  for (let i = 0; i < N; i++) tx.insert(item.id, itemRow(i));
  for (const line of ['e', 'a', 'd', 'b', 'c'])
    tx.insert(log.id, encodeToBytes(rowType(log), [line]));
  tx.commitCall();
  const entries = new Map<string, Uint8Array>();
  forEachWrite(
    tx.finish(),
    (key, value) => void (value !== null && entries.set(keyString(key), value.slice())),
  );
  return entries;
}

describe('lazy store reads pull only what they return', () => {
  const entries = committedEntries();
  const { layout } = buildLayout(schema, { tables: {}, indexes: {}, next: 1 });

  it('reads primary-key and secondary-index ranges one entry at a time', () => {
    const kv = new CountingKv(entries);
    const view = new TableView(layout, kv);
    expect(take(view.iterateScan(item.id), 5)).toEqual([0, 1, 2, 3, 4]);
    expect([kv.pulled, kv.gets]).toEqual([5, 0]);
    kv.pulled = 0;
    expect(take(view.iterateScan(item.id, { reverse: true }), 3)).toEqual([N - 1, N - 2, N - 3]);
    expect(kv.pulled).toBe(3);
    kv.pulled = 0;
    // A secondary index: one entry and one row lookup per row.
    expect(take(view.iterateIndexPoint(grp, u32(7)), 4)).toEqual([7, 17, 27, 37]);
    expect([kv.pulled, kv.gets]).toEqual([4, 4]);
    kv.pulled = 0;
    kv.gets = 0;
    expect(take(view.iterateIndexRange(...range(3, 5), { reverse: true }), 2)).toEqual([
      N - 6,
      N - 16,
    ]);
    expect([kv.pulled, kv.gets]).toEqual([2, 2]);
    kv.pulled = 0;
    kv.gets = 0;
    // A limit is passed down: nothing past it is read even if the consumer keeps pulling.
    expect(
      [...view.iterateIndexRange(...range(undefined, undefined, pk), { limit: 6 })].map(idOf),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    expect(kv.pulled).toBe(6);
  });

  it('merges pending writes of a batch lazily too', () => {
    const kv = new CountingKv(entries);
    const tx = new OverlayBatchTx(layout, kv);
    tx.beginCall();
    tx.deleteRow(item.id, itemRow(1));
    tx.deleteRow(item.id, itemRow(2));
    tx.update(item.id, encodeToBytes(rowType(item), [3, 3, 'changed']));
    tx.insert(item.id, itemRow(N + 5));
    kv.pulled = 0;
    const first = [...take(tx.iterateScan(item.id), 3)];
    expect(first).toEqual([0, 3, 4]);
    // Entries 0..4 of the base (1 and 2 hidden by deletions, 3 shadowed by the update).
    expect(kv.pulled).toBe(5);
    expect(take(tx.iterateScan(item.id, { reverse: true }), 2)).toEqual([N + 5, N - 1]);
    expect([...tx.iterateScan(item.id)].map(idOf)).toEqual(tx.scan(item.id).map(idOf));
    expect([...tx.iterateIndexRange(...range(2, 4), { reverse: true })].map(idOf)).toEqual(
      tx.scanIndexRange(...range(2, 4), true).map(idOf),
    );
    tx.rollbackCall();
    tx.abandon();
  });
});

describe('lazy reads on the LMDB store', () => {
  let store: DatabaseStore;
  beforeAll(async () => {
    store = openDatabaseStore(path.join(tempDir(), 'lazy'), schema);
    const tx = store.beginBatch();
    tx.beginCall();
    for (let i = 0; i < N; i++) tx.insert(item.id, itemRow(i));
    for (const line of ['e', 'a', 'd']) tx.insert(log.id, encodeToBytes(rowType(log), [line]));
    tx.commitCall();
    await store.commit(tx.finish()).durable;
  });
  afterAll(async () => {
    await store.close();
  });

  const readers: [
    string,
    (s: DatabaseStore) => TableReader & { close?(): void; abandon?(): void },
  ][] = [
    ['read snapshot', s => s.read()],
    [
      'batch overlay',
      s => {
        const tx = s.beginBatch();
        tx.beginCall();
        tx.deleteRow(item.id, itemRow(10));
        tx.insert(item.id, itemRow(N + 1));
        tx.update(item.id, encodeToBytes(rowType(item), [20, 9, 'moved']));
        return tx;
      },
    ],
  ];

  it.each(readers)(
    'gives the rows of the array methods, forwards, backwards and limited (%s)',
    (_, open) => {
      const r = open(store);
      try {
        const ids = (rows: Iterable<Uint8Array>): number[] => [...rows].map(idOf);
        const scan = r.scan(item.id).map(idOf);
        expect(ids(r.iterateScan!(item.id))).toEqual(scan);
        expect(ids(r.iterateScan!(item.id, { reverse: true }))).toEqual([...scan].reverse());
        expect(ids(r.iterateScan!(item.id, { limit: 3 }))).toEqual(scan.slice(0, 3));
        expect(ids(r.iterateScan!(item.id, { reverse: true, limit: 2 }))).toEqual(
          scan.slice(-2).reverse(),
        );
        expect(ids(r.iterateScan!(item.id, { limit: 0 }))).toEqual([]);
        const logLines = r.scan(log.id);
        expect([...r.iterateScan!(log.id, { reverse: true })]).toEqual([...logLines].reverse());
        for (const g of [0, 3, 9]) {
          const point = r.scanIndexPoint(grp, u32(g)).map(idOf);
          expect(ids(r.iterateIndexPoint!(grp, u32(g)))).toEqual(point);
          expect(ids(r.iterateIndexPoint!(grp, u32(g), { reverse: true, limit: 4 }))).toEqual(
            [...point].reverse().slice(0, 4),
          );
        }
        expect(ids(r.iterateIndexPoint!(pk, u32(5)))).toEqual([5]);
        for (const [lo, hi] of [
          [2, 5],
          [undefined, 3],
          [7, undefined],
          [5, 5],
          [6, 2],
        ] as const) {
          const forward = r.scanIndexRange(...range(lo, hi)).map(idOf);
          expect(ids(r.iterateIndexRange!(...range(lo, hi)))).toEqual(forward);
          expect(ids(r.iterateIndexRange!(...range(lo, hi), { reverse: true }))).toEqual(
            r.scanIndexRange(...range(lo, hi), true).map(idOf),
          );
          expect(ids(r.iterateIndexRange!(...range(lo, hi), { reverse: true }))).toEqual(
            [...forward].reverse(),
          );
          expect(ids(r.iterateIndexRange!(...range(lo, hi), { limit: 7 }))).toEqual(
            forward.slice(0, 7),
          );
        }
        const pkRange = range(100, 110, pk);
        expect(ids(r.iterateIndexRange!(...pkRange, { reverse: true, limit: 3 }))).toEqual([
          109, 108, 107,
        ]);
      } finally {
        r.close?.();
        r.abandon?.();
      }
    },
  );

  it('checks arguments when called, with structured errors', () => {
    const r = store.read();
    try {
      for (const limit of [-1, 1.5, Number.NaN, Infinity]) {
        expect(() => r.iterateScan!(item.id, { limit }), String(limit)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
        );
      }
      expect(() => r.iterateScan!(99)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
      expect(() => r.iterateIndexPoint!(99, u32(1))).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
      expect(() => r.iterateIndexRange!(grp, { ...range(1, 2)[1], prefixElems: 3 })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
    } finally {
      r.close();
    }
  });

  it('lets the lazy helpers fall back to the array methods of readers without lazy reads', () => {
    const r = store.read();
    try {
      const arrayOnly: TableReader = {
        count: id => r.count(id),
        scan: id => r.scan(id),
        findUnique: (ix, key) => r.findUnique(ix, key),
        scanIndexPoint: (ix, key) => r.scanIndexPoint(ix, key),
        scanIndexRange: (ix, rg, rev) => r.scanIndexRange(ix, rg, rev),
      };
      for (const options of [
        undefined,
        { reverse: true },
        { limit: 4 },
        { reverse: true, limit: 2 },
        { limit: 0 },
      ]) {
        const label = JSON.stringify(options);
        expect([...lazyScan(arrayOnly, item.id, options)], label).toEqual([
          ...lazyScan(r, item.id, options),
        ]);
        expect([...lazyIndexPoint(arrayOnly, grp, u32(4), options)], label).toEqual([
          ...lazyIndexPoint(r, grp, u32(4), options),
        ]);
        expect([...lazyIndexRange(arrayOnly, ...range(2, 4), options)], label).toEqual([
          ...lazyIndexRange(r, ...range(2, 4), options),
        ]);
      }
      expect(() => lazyScan(arrayOnly, item.id, { limit: -2 })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
    } finally {
      r.close();
    }
  });
});

describe('overlay merge', () => {
  it('agrees with a plain model for random writes, ranges, directions and limits', () => {
    const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3, max: 7 });
    fc.assert(
      fc.property(
        fc.array(keyArb, { maxLength: 30 }),
        fc.array(fc.tuple(fc.boolean(), keyArb), { maxLength: 30 }),
        keyArb,
        keyArb,
        fc.boolean(),
        fc.option(fc.nat(12), { nil: undefined }),
        fc.nat(10),
        (baseKeys, writes, a, b, reverse, limit, stopAfter) => {
          const model = new Map<string, Uint8Array>();
          for (const k of baseKeys) model.set(keyString(k), Uint8Array.of(0, ...k));
          const base = new CountingKv(new Map(model));
          const overlay = new OverlayKv(base);
          writes.forEach(([put, k], i) => {
            if (put) {
              overlay.put(k, Uint8Array.of(1, i));
              model.set(keyString(k), Uint8Array.of(1, i));
            } else {
              overlay.delete(k);
              model.delete(keyString(k));
            }
          });
          const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
          const want = [...model.keys()]
            .filter(k => k >= keyString(lo) && k < keyString(hi))
            .sort();
          if (reverse) want.reverse();
          const cut = want.slice(0, limit ?? Infinity);
          const got = [...overlay.iterate(lo, hi, reverse, limit)].map(e => [
            keyString(e.key),
            [...e.value],
          ]);
          expect(got).toEqual(cut.map(k => [k, [...model.get(k)!]]));
          expect(overlay.range(lo, hi, reverse).map(e => keyString(e.key))).toEqual(want);
          // Stopping early pulls no more base entries than were passed over.
          base.pulled = 0;
          let seen = 0;
          for (const _ of overlay.iterate(lo, hi, reverse)) if (++seen >= stopAfter) break;
          expect(base.pulled).toBeLessThanOrEqual(seen + writes.length + 1);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
