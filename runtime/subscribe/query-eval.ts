/**
 * @module
 * Evaluating compiled subscription queries: the initial result on a snapshot, and the delta of
 * one committed call.
 *
 * Both walk the same way: start from the rows of one source (an index or table scan for the
 * initial result, the call's changed rows for a delta), then join the other sources one index
 * lookup at a time in the plan's order for that start. A delta is the telescoping sum over the
 * sources i whose table the call changed:
 *
 *   ΔV = Σ_i  R1'…R(i-1)' · ΔRi · R(i+1)…Rn
 *
 * where ΔRi is +1 for each inserted and -1 for each deleted row, R' is read from the state after
 * the call and R from the state before it. Summing the signs per returned row cancels rows that
 * left and came back within the call; what remains positive entered, what remains negative left.
 */
import {
  decodeFromBytes,
  encodeToBytes,
  WasmbaseError,
  type AlgebraicValue,
} from '../protocol/index.js';
import {
  iterateAccess,
  planAccess,
  readAccess,
  type AccessPath,
  type Tuple,
} from '../sql/index.js';
import type { TableChanges, TableReader } from '../store/index.js';
import { probeReader, type BatchStates } from './batch-states.js';
import { planOf } from './subscription-compile.js';
import { bytesKey, some } from './row-keys.js';
import {
  DEFAULT_SUBSCRIPTION_ROW_LIMIT,
  type CompiledSubscription,
  type EvaluatePace,
  type EvaluateOptions,
  type QueryPlan,
} from './subscription-types.js';

/** A partial join result: decoded rows by source, the returned source's bytes, and a sign. */
interface Partial {
  readonly values: (readonly AlgebraicValue[] | undefined)[];
  readonly ret: Uint8Array | undefined;
  readonly sign: number;
}

function rowLimitError(plan: QueryPlan, limit: number, what: string): WasmbaseError {
  const sql = plan.statement.sources.map(s => s.table.name).join(', ');
  return new WasmbaseError(
    'SQL_ROW_LIMIT',
    `a subscription query over ${sql} ${what} more than ${limit} rows, the subscription row limit`,
    { limit },
  );
}

const asTuple = (values: Partial['values']): Tuple => values as Tuple;

/**
 * Joins every partial result of `start` to the remaining sources, in the plan's order for that
 * start; `readerFor(target)` says which state each source is read from.
 */
function extend(
  plan: QueryPlan,
  start: number,
  first: Partial[],
  readerFor: (target: number) => TableReader,
  limit: number,
  what: string,
): Partial[] {
  let level = first;
  for (const step of plan.orders[start]!) {
    if (level.length === 0) return level;
    const source = plan.sources[step.target]!;
    const reader = readerFor(step.target);
    const local = source.localFilter;
    // Partial results often share a join value: look each value up (and decode its rows) once.
    const memo = new Map<string, { raw: Uint8Array; values: readonly AlgebraicValue[] }[]>();
    const next: Partial[] = [];
    for (const p of level) {
      let v = p.values[step.from]![step.fromColumn]!;
      if (step.fromOptional) {
        const o = v as { tag: number; value: AlgebraicValue };
        if (o.tag !== 0) continue;
        v = o.value;
      }
      const key = encodeToBytes(step.keyType, step.keyOptional ? some(v) : v);
      const k = bytesKey(key);
      let rows = memo.get(k);
      if (rows === undefined) {
        rows = [];
        for (const raw of probeReader(reader, step.index, key)) {
          const values = decodeFromBytes(source.rowType, raw) as AlgebraicValue[];
          const t: Partial['values'] = [];
          t[step.target] = values;
          if (local === undefined || local(asTuple(t)) === true) rows.push({ raw, values });
        }
        memo.set(k, rows);
      }
      for (const r of rows) {
        const values = p.values.slice();
        values[step.target] = r.values;
        if (step.filters.length > 0 && !step.filters.every(f => f(asTuple(values)) === true))
          continue;
        next.push({ values, ret: step.target === plan.returned ? r.raw : p.ret, sign: p.sign });
        if (next.length > limit) throw rowLimitError(plan, limit, what);
      }
    }
    level = next;
  }
  return level;
}

/** Rows of `start` as partial results, kept when they pass the source's own conditions. */
function startRows(
  plan: QueryPlan,
  start: number,
  rows: readonly Uint8Array[],
  sign: number,
  decode: (raw: Uint8Array) => readonly AlgebraicValue[],
  out: Partial[],
): void {
  const local = plan.sources[start]!.localFilter;
  const n = plan.sources.length;
  for (const raw of rows) {
    const values = new Array<readonly AlgebraicValue[] | undefined>(n);
    values[start] = decode(raw);
    if (local !== undefined && local(asTuple(values)) !== true) continue;
    out.push({ values, ret: start === plan.returned ? raw : undefined, sign });
  }
}

/**
 * Lower is cheaper: nothing, a unique point, a point or prefix, a range (or several), a whole
 * table.
 */
function accessRank(a: AccessPath): number {
  if (a.kind === 'Empty') return 0;
  if (a.kind === 'TableScan') return 4;
  if (a.kind !== 'IndexScan') return 3;
  if (a.eq.length === a.index.columns.length) return a.index.unique ? 1 : 2;
  return a.eq.length > 0 ? 2 : 3;
}

/**
 * The cheapest source to start the initial evaluation from (smaller tables break ties), and how to
 * read it.
 */
function initialStart(plan: QueryPlan, reader: TableReader): { start: number; access: AccessPath } {
  let best: { start: number; access: AccessPath; rank: number; count: number } | undefined;
  for (const s of plan.sources) {
    const { access } = planAccess(s.source, s.localConjuncts);
    const rank = accessRank(access);
    if (best !== undefined && rank > best.rank) continue;
    const count = rank === 0 ? 0 : reader.count(s.table.id);
    if (best === undefined || rank < best.rank || count < best.count)
      best = { start: s.source.index, access, rank, count };
  }
  return best!;
}

/**
 * The current result of a query on a snapshot: the returned table's rows as BSATN, once per
 * join match (a multiset). Throws SQL_ROW_LIMIT past `options.maxRows`.
 */
export function evaluateSubscription(
  query: CompiledSubscription,
  reader: TableReader,
  options: EvaluateOptions = {},
): Uint8Array[] {
  const plan = planOf(query);
  if (plan.never) return [];
  const limit = options.maxRows ?? DEFAULT_SUBSCRIPTION_ROW_LIMIT;
  const { start, access } = initialStart(plan, reader);
  const rowType = plan.sources[start]!.rowType;
  const first: Partial[] = [];
  startRows(
    plan,
    start,
    readAccess(reader, access),
    1,
    raw => decodeFromBytes(rowType, raw) as AlgebraicValue[],
    first,
  );
  if (first.length > limit) throw rowLimitError(plan, limit, 'returns');
  return extend(plan, start, first, () => reader, limit, 'returns').map(p => p.ret!);
}

/**
 * `evaluateSubscription` read in slices: every row read from the start source goes to
 * `pace.add` (with its size when it is a returned row, and the evaluation awaits the promise
 * `pace` returns at the end of a slice); rows a join returns are counted after the join. The
 * reader must stay open across the awaits. `pace` throws to stop (a byte limit).
 */
export async function evaluateSubscriptionSliced(
  query: CompiledSubscription,
  reader: TableReader,
  pace: EvaluatePace,
  options: EvaluateOptions = {},
): Promise<Uint8Array[]> {
  const plan = planOf(query);
  if (plan.never) return [];
  const limit = options.maxRows ?? DEFAULT_SUBSCRIPTION_ROW_LIMIT;
  const { start, access } = initialStart(plan, reader);
  const rowType = plan.sources[start]!.rowType;
  const local = plan.sources[start]!.localFilter;
  const alone = plan.sources.length === 1;
  const n = plan.sources.length;
  const first: Partial[] = [];
  for (const raw of iterateAccess(reader, access)) {
    const values = new Array<readonly AlgebraicValue[] | undefined>(n);
    values[start] = decodeFromBytes(rowType, raw) as AlgebraicValue[];
    let bytes = 0;
    if (local === undefined || local(asTuple(values)) === true) {
      first.push({ values, ret: start === plan.returned ? raw : undefined, sign: 1 });
      if (first.length > limit) throw rowLimitError(plan, limit, 'returns');
      if (alone) bytes = raw.length;
    }
    const wait = pace.add(bytes);
    if (wait !== undefined) await wait;
  }
  if (alone) return first.map(p => p.ret!);
  const rows = extend(plan, start, first, () => reader, limit, 'returns').map(p => p.ret!);
  for (const r of rows) pace.count(r.length);
  return rows;
}

/** The ids of the tables `query` reads. */
export function tablesRead(query: CompiledSubscription): readonly number[] {
  return planOf(query).tableIds;
}

/** A delta as multisets of the returned table's rows. */
export interface RowDelta {
  readonly inserts: Uint8Array[];
  readonly deletes: Uint8Array[];
}

/**
 * What call `call` of a batch changed in the result of `plan`. `changes` maps table ids to the
 * call's changes; only sources whose table is there contribute terms.
 */
export function deltaOf(
  plan: QueryPlan,
  changes: ReadonlyMap<number, TableChanges>,
  call: number,
  states: BatchStates,
  limit: number,
): RowDelta {
  const counts = new Map<string, { raw: Uint8Array; count: number }>();
  let produced = 0;
  if (!plan.never) {
    for (const s of plan.sources) {
      const tc = changes.get(s.table.id);
      if (tc === undefined) continue;
      const i = s.source.index;
      const first: Partial[] = [];
      const decode = (raw: Uint8Array) => states.decode(s.table.id, raw);
      startRows(plan, i, tc.inserts, 1, decode, first);
      startRows(plan, i, tc.deletes, -1, decode, first);
      if (first.length > limit) throw rowLimitError(plan, limit, 'changes');
      const after = states.reader(call + 1);
      const before = states.reader(call);
      for (const p of extend(plan, i, first, t => (t < i ? after : before), limit, 'changes')) {
        if (++produced > limit) throw rowLimitError(plan, limit, 'changes');
        const k = bytesKey(p.ret!);
        const entry = counts.get(k);
        if (entry === undefined) counts.set(k, { raw: p.ret!, count: p.sign });
        else entry.count += p.sign;
      }
    }
  }
  const inserts: Uint8Array[] = [];
  const deletes: Uint8Array[] = [];
  for (const { raw, count } of counts.values()) {
    for (let c = count; c > 0; c--) inserts.push(raw);
    for (let c = count; c < 0; c++) deletes.push(raw);
  }
  return { inserts, deletes };
}
