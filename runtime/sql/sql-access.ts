/**
 * @module
 * Reading the raw rows of an access path from a `TableReader`, lazily: rows are fetched from
 * the store only as the pipeline pulls them, so LIMIT (or a consumer that stops) ends the read.
 */
import { BsatnWriter, decodeFromBytes, encodeToBytes, encodeValue } from '../protocol/index.js';
import type { AlgebraicType, AlgebraicValue } from '../protocol/index.js';
import {
  lazyIndexPoint,
  lazyIndexRange,
  lazyScan,
  type KeyBound,
  type TableReader,
} from '../store/index.js';
import type { AccessPath, IndexAccess } from './sql-plan.js';
import { compilePredicate, filterOf, type Predicate } from './sql-predicate.js';
import { optionInner, some } from './sql-values.js';

/** A value of a key column as stored (Option columns hold `some(v)`). */
function keyValue(columnType: AlgebraicType, v: AlgebraicValue): AlgebraicValue {
  return optionInner(columnType) === undefined ? v : some(v);
}

/** BSATN of the leading key columns of an index, as the store's index methods take it. */
export function encodeKey(
  types: readonly AlgebraicType[],
  values: readonly AlgebraicValue[],
): Uint8Array {
  const w = new BsatnWriter(64);
  for (let i = 0; i < values.length; i++)
    encodeValue(w, types[i]!, keyValue(types[i]!, values[i]!));
  return w.toBytes();
}

export interface AccessOptions {
  /** Read at most this many rows (only when every row read is kept). */
  readonly limit?: number;
}

function iterateIndex(
  reader: TableReader,
  a: IndexAccess,
  limit: number | undefined,
): Iterable<Uint8Array> {
  const types = a.index.columns.map(c => a.table.columns[c]!.type);
  const eqValues = a.eq.map(c => c.value);
  const options = { reverse: a.reverse, ...(limit === undefined ? {} : { limit }) };
  if (a.eq.length === types.length) {
    const key = encodeKey(types, eqValues);
    if (a.index.unique) {
      const row = limit === 0 ? undefined : reader.findUnique(a.index.id, key);
      return row === undefined ? [] : [row];
    }
    return lazyIndexPoint(reader, a.index.id, key, options);
  }
  const colType = types[a.eq.length]!;
  const bound = (
    b: { value: { value: AlgebraicValue }; inclusive: boolean } | undefined,
  ): KeyBound =>
    b === undefined
      ? { kind: 'unbounded' }
      : {
          kind: b.inclusive ? 'included' : 'excluded',
          value: encodeToBytes(colType, keyValue(colType, b.value.value)),
        };
  return lazyIndexRange(
    reader,
    a.index.id,
    {
      prefix: encodeKey(types.slice(0, a.eq.length), eqValues),
      prefixElems: a.eq.length,
      start: bound(a.lower),
      end: bound(a.upper),
    },
    options,
  );
}

/** The rows of every branch of an index union, each once. */
function* iterateUnion(
  reader: TableReader,
  a: AccessPath & { kind: 'IndexUnion' },
): Generator<Uint8Array> {
  const rowType: AlgebraicType = { tag: 'Product', elements: a.table.rowType.elements };
  // Predicates read the row at its source's position in the tuple.
  const tuple: (readonly AlgebraicValue[])[] = new Array<readonly AlgebraicValue[]>(a.source + 1);
  const earlier: Predicate[] = [];
  for (const branch of a.branches) {
    const filter = filterOf(branch.filter);
    if (branch.access.kind === 'IndexScan') {
      for (const raw of iterateIndex(reader, branch.access, undefined)) {
        tuple[a.source] = decodeFromBytes(rowType, raw) as AlgebraicValue[];
        if (filter !== undefined && !filter(tuple)) continue;
        if (earlier.some(p => p(tuple) === true)) continue;
        yield raw;
      }
    }
    earlier.push(compilePredicate(branch.disjunct));
  }
}

/** The raw rows an access path reads, lazily, in access order. */
export function iterateAccess(
  reader: TableReader,
  a: AccessPath,
  options: AccessOptions = {},
): Iterable<Uint8Array> {
  switch (a.kind) {
    case 'Empty':
      return [];
    case 'TableScan':
      return lazyScan(
        reader,
        a.table.id,
        options.limit === undefined ? undefined : { limit: options.limit },
      );
    case 'IndexScan':
      return iterateIndex(reader, a, options.limit);
    case 'IndexUnion': {
      if (options.limit === undefined) return iterateUnion(reader, a);
      const limit = options.limit;
      return (function* () {
        if (limit <= 0) return;
        let n = 0;
        for (const raw of iterateUnion(reader, a)) {
          yield raw;
          if (++n >= limit) return;
        }
      })();
    }
  }
}

/** The raw rows an access path reads, as an array. */
export function readAccess(reader: TableReader, a: AccessPath): Uint8Array[] {
  return Array.from(iterateAccess(reader, a));
}
