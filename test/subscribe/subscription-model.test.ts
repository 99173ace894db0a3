/**
 * Model-based test of the subscription engine (the acceptance test of incremental
 * subscriptions): seeded random inserts, updates and deletes go through a real store in batches
 * of 1–5 calls, while random subscribers subscribe to and unsubscribe from random queries
 * (single table, filters of every kind, 2- and 3-table joins, self-joins). After every call,
 * each subscriber's cache — its initial rows plus every delta it received, applied in order, as
 * a multiset — must equal a fresh evaluation of its query by the reference evaluator below:
 * nested loops over every row of the state, its own three-valued logic, no indexes, nothing
 * shared with the engine.
 *
 * The same deltas also go the way the WebSocket handlers send them: each call's deltas through
 * `fanOut`, shaped as v1 (`deltaUpdate`, `rowsUpdate`) and v2 (`transactionUpdateOf`,
 * `queryRowsOf`) messages, encoded, decoded with the client decoders and applied to two more
 * caches per client (subscribers belong to a few clients, under a few query sets): v1 per table,
 * v2 per query set and table. Both must equal the sum of the client's subscribers' references.
 *
 * An operation is a subscribe, an unsubscribe or one write.
 *
 * SUBSCRIBE_MODEL_SEED sets the first seed (printed), SUBSCRIBE_MODEL_RUNS how many seeds run
 * (200; LONG_TESTS=1: 10,000). A failure names its seed and operation; replay it alone with
 * SUBSCRIBE_MODEL_SEED=<seed> SUBSCRIBE_MODEL_RUNS=1.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeFromBytes,
  decodeServerMessageBsatn,
  decodeV2ServerMessage,
  encodeServerMessageBsatn,
  encodeV2ServerMessage,
  type AlgebraicType,
  type AlgebraicValue,
  type DatabaseUpdate,
  type ServerMessage,
  type TableSchema,
  type V2ServerMessage,
} from '../../runtime/protocol/index.js';
import type { CallChanges, DatabaseStore } from '../../runtime/store/index.js';
import {
  compileSubscription,
  evaluateSubscription,
  fanOut,
  SubscriptionRegistry,
  type CallFanOut,
  type ClientDelta,
  type QueryDelta,
  type CompiledSubscription,
  type Subscriber,
} from '../../runtime/subscribe/index.js';
import { deltaUpdate, rowsUpdate } from '../../runtime/ws/v1/v1-messages.js';
import { queryRowsOf, transactionUpdateOf } from '../../runtime/ws/v2/v2-messages.js';
import { buildSchema, T } from '../helpers/schemas.js';
import { NONE, newStore, runBatch, some, type Write } from './subscribe-fixtures.js';
import { mulberry32 } from '../../bench/keynote/zipf.js';

const FIRST_SEED = Number(process.env['SUBSCRIBE_MODEL_SEED'] ?? Date.now() % 1_000_000_007);
const RUNS = Number(
  process.env['SUBSCRIBE_MODEL_RUNS'] ?? (process.env['LONG_TESTS'] === '1' ? 10_000 : 200),
);
const OPS = 300;
/** Subscribers at once (each is checked after every call). */
const MAX_SUBSCRIBERS = 6;
console.log(
  `subscription model test: seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1}, ${OPS} operations ` +
    `each (SUBSCRIBE_MODEL_SEED=${FIRST_SEED} to replay)`,
);

const schema = buildSchema([
  {
    name: 'a',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'x', type: T.u8, index: true },
      { name: 'y', type: T.u8 },
      { name: 'o', type: T.option(T.u8), index: true },
      { name: 's', type: T.string },
    ],
  },
  {
    name: 'b',
    columns: [
      { name: 'id', type: T.u32, pk: true },
      { name: 'aid', type: T.u32, index: true },
      { name: 'x', type: T.u8, index: true },
      { name: 'z', type: T.u8 },
    ],
  },
  // No primary key: rows are a set, changed only by delete and insert.
  {
    name: 'c',
    columns: [
      { name: 'k', type: T.u8, index: true },
      { name: 'bx', type: T.u8, index: true },
      { name: 'w', type: T.u8 },
    ],
  },
]);

// ---- values and rows of the model ----------------------------------------------------------

/** A column value in the model: numbers, strings, or null for an empty Option. */
type V = number | string | null;
type Row = readonly V[];
type TableName = 'a' | 'b' | 'c';

const COLUMNS: Record<TableName, readonly { name: string; kind: 'u32' | 'u8' | 'opt' | 'str' }[]> =
  {
    a: [
      { name: 'id', kind: 'u32' },
      { name: 'x', kind: 'u8' },
      { name: 'y', kind: 'u8' },
      { name: 'o', kind: 'opt' },
      { name: 's', kind: 'str' },
    ],
    b: [
      { name: 'id', kind: 'u32' },
      { name: 'aid', kind: 'u32' },
      { name: 'x', kind: 'u8' },
      { name: 'z', kind: 'u8' },
    ],
    c: [
      { name: 'k', kind: 'u8' },
      { name: 'bx', kind: 'u8' },
      { name: 'w', kind: 'u8' },
    ],
  };
const STRINGS = ['p', 'q', 'r'];

const tableOf = (name: TableName): TableSchema => schema.tableByName(name)!;
const rowTypeOf = (name: TableName): AlgebraicType => ({
  tag: 'Product',
  elements: tableOf(name).rowType.elements,
});
const toValues = (name: TableName, row: Row): AlgebraicValue[] =>
  row.map((v, i) => (COLUMNS[name][i]!.kind === 'opt' ? (v === null ? NONE : some(v)) : v!));
const fromBytes = (name: TableName, raw: Uint8Array): Row =>
  (decodeFromBytes(rowTypeOf(name), raw) as AlgebraicValue[]).map(v =>
    typeof v === 'object' && v !== null && 'tag' in v
      ? v.tag === 1
        ? null
        : (v.value as number)
      : (v as number | string),
  );
const hexOf = (raw: Uint8Array): string => Buffer.from(raw).toString('hex');

/** The state of the database as the model keeps it: per table, rows by the hex of their bytes. */
type State = Record<TableName, ReadonlyMap<string, Row>>;

function applyChanges(state: State, changes: CallChanges): State {
  const next = { ...state };
  for (const tc of changes) {
    const name = schema.tables[tc.tableId]!.name as TableName;
    const rows = new Map(next[name]);
    for (const raw of tc.deletes) rows.delete(hexOf(raw));
    for (const raw of tc.inserts) rows.set(hexOf(raw), fromBytes(name, raw));
    next[name] = rows;
  }
  return next;
}

// ---- queries: SQL text and the same query as data for the reference evaluator --------------

type Operand = { readonly col: [number, string] } | { readonly lit: V };
type Cond =
  | { readonly k: 'cmp'; readonly op: string; readonly l: Operand; readonly r: Operand }
  | { readonly k: 'and' | 'or'; readonly a: Cond; readonly b: Cond }
  | { readonly k: 'not'; readonly a: Cond }
  | { readonly k: 'null'; readonly col: [number, string]; readonly neg: boolean };

interface QueryModel {
  readonly sql: string;
  readonly sources: readonly { readonly table: TableName; readonly alias: string }[];
  readonly returned: number;
  readonly conds: readonly Cond[];
  /** True when a top-level `col = constant` pins it (the pruned path). */
  readonly pinned: boolean;
}

/** Join shapes whose join columns are indexed on both sides. */
const JOINS: readonly { tables: TableName[]; on: [number, string, number, string][] }[] = [
  { tables: ['a', 'b'], on: [[1, 'aid', 0, 'id']] },
  { tables: ['a', 'b'], on: [[0, 'x', 1, 'x']] },
  { tables: ['b', 'c'], on: [[1, 'bx', 0, 'x']] },
  { tables: ['a', 'c'], on: [[1, 'k', 0, 'o']] },
  { tables: ['c', 'a'], on: [[1, 'x', 0, 'k']] },
  { tables: ['a', 'a'], on: [[1, 'x', 0, 'x']] },
  { tables: ['b', 'b'], on: [[1, 'aid', 0, 'aid']] },
  {
    tables: ['a', 'b', 'c'],
    on: [
      [1, 'aid', 0, 'id'],
      [2, 'bx', 1, 'x'],
    ],
  },
  {
    tables: ['a', 'b', 'c'],
    on: [
      [1, 'x', 0, 'x'],
      [2, 'k', 0, 'x'],
    ],
  },
  {
    tables: ['c', 'a', 'b'],
    on: [
      [1, 'o', 0, 'k'],
      [2, 'x', 0, 'bx'],
    ],
  },
  {
    tables: ['b', 'a', 'b'],
    on: [
      [1, 'id', 0, 'aid'],
      [2, 'aid', 1, 'id'],
    ],
  },
];

function randomQuery(rnd: () => number): QueryModel {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const shape =
    rnd() < 0.35
      ? {
          tables: [pick(['a', 'b', 'c'] as TableName[])],
          on: [] as [number, string, number, string][],
        }
      : pick(JOINS);
  const sources = shape.tables.map((table, i) => ({ table, alias: `t${i}` }));
  const literal = (kind: string): V =>
    kind === 'str' ? pick(STRINGS) : kind === 'u32' ? int(0, 7) : int(0, 3);
  const column = (): [number, string, string] => {
    const s = int(0, sources.length - 1);
    const c = pick(COLUMNS[sources[s]!.table]);
    return [s, c.name, c.kind];
  };
  const leaf = (): Cond => {
    const [s, name, kind] = column();
    const r = rnd();
    if (kind === 'opt' && r < 0.3) return { k: 'null', col: [s, name], neg: rnd() < 0.5 };
    const op = pick(['=', '=', '!=', '<', '<=', '>', '>=']);
    if (r < 0.8 || kind === 'str')
      return { k: 'cmp', op, l: { col: [s, name] }, r: { lit: literal(kind) } };
    // Two columns of comparable types (u8, u32 and Option<u8> compare among their own kind).
    const same = sources.flatMap((src, i) =>
      COLUMNS[src.table]
        .filter(
          c =>
            c.kind === kind ||
            (c.kind === 'opt' && kind === 'u8') ||
            (c.kind === 'u8' && kind === 'opt'),
        )
        .map(c => [i, c.name] as [number, string]),
    );
    return { k: 'cmp', op, l: { col: [s, name] }, r: { col: pick(same) } };
  };
  const cond = (depth: number): Cond => {
    const r = rnd();
    if (depth === 0 || r < 0.5) return leaf();
    if (r < 0.65) return { k: 'not', a: cond(depth - 1) };
    return { k: r < 0.85 ? 'and' : 'or', a: cond(depth - 1), b: cond(depth - 1) };
  };
  const conds: Cond[] = shape.on.map(([s1, c1, s2, c2]) => ({
    k: 'cmp',
    op: '=',
    l: { col: [s1, c1] },
    r: { col: [s2, c2] },
  }));
  const where: Cond[] = [];
  // A top-level equality with a constant pins a column (the pruned path).
  const pinned = rnd() < 0.4;
  if (pinned) {
    const s = int(0, sources.length - 1);
    const c = pick(COLUMNS[sources[s]!.table].filter(x => x.kind !== 'str'));
    where.push({
      k: 'cmp',
      op: '=',
      l: { col: [s, c.name] },
      r: { lit: c.kind === 'u32' ? int(0, 7) : int(0, 3) },
    });
  }
  for (let n = int(0, 2); n > 0; n--) where.push(cond(2));
  const operandSql = (o: Operand): string =>
    'col' in o
      ? `${sources[o.col[0]]!.alias}.${o.col[1]}`
      : o.lit === null
        ? 'NULL'
        : typeof o.lit === 'string'
          ? `'${o.lit}'`
          : String(o.lit);
  const condSql = (c: Cond): string => {
    switch (c.k) {
      case 'cmp':
        return `${operandSql(c.l)} ${c.op} ${operandSql(c.r)}`;
      case 'and':
      case 'or':
        return `(${condSql(c.a)} ${c.k.toUpperCase()} ${condSql(c.b)})`;
      case 'not':
        return `NOT (${condSql(c.a)})`;
      case 'null':
        return `${operandSql({ col: c.col })} IS ${c.neg ? 'NOT ' : ''}NULL`;
    }
  };
  const returned = int(0, sources.length - 1);
  const from = sources
    .map((s, i) =>
      i === 0
        ? `${s.table} AS ${s.alias}`
        : `JOIN ${s.table} AS ${s.alias} ON ${condSql(conds[i - 1]!)}`,
    )
    .join(' ');
  const columns = sources.length === 1 && rnd() < 0.5 ? '*' : `${sources[returned]!.alias}.*`;
  const filter = where.length > 0 ? ` WHERE ${where.map(condSql).join(' AND ')}` : '';
  const sql = `SELECT ${columns} FROM ${from}${filter}`;
  return { sql, sources, returned, conds: [...conds, ...where], pinned };
}

// ---- the reference evaluator ---------------------------------------------------------------

const COLUMN_INDEX = new Map(
  Object.entries(COLUMNS).map(([t, cols]) => [t, new Map(cols.map((c, i) => [c.name, i]))]),
);
const columnIndex = (table: TableName, name: string): number => COLUMN_INDEX.get(table)!.get(name)!;

/** Three-valued logic: true, false, or null (unknown). */
function evalCond(c: Cond, rows: readonly Row[], q: QueryModel): boolean | null {
  const value = (o: Operand): V =>
    'col' in o ? rows[o.col[0]]![columnIndex(q.sources[o.col[0]]!.table, o.col[1])]! : o.lit;
  switch (c.k) {
    case 'cmp': {
      const l = value(c.l);
      const r = value(c.r);
      if (l === null || r === null) return null;
      switch (c.op) {
        case '=':
          return l === r;
        case '!=':
          return l !== r;
        case '<':
          return l < r;
        case '<=':
          return l <= r;
        case '>':
          return l > r;
        default:
          return l >= r;
      }
    }
    case 'and': {
      const a = evalCond(c.a, rows, q);
      const b = evalCond(c.b, rows, q);
      return a === false || b === false ? false : a === null || b === null ? null : true;
    }
    case 'or': {
      const a = evalCond(c.a, rows, q);
      const b = evalCond(c.b, rows, q);
      return a === true || b === true ? true : a === null || b === null ? null : false;
    }
    case 'not': {
      const a = evalCond(c.a, rows, q);
      return a === null ? null : !a;
    }
    case 'null':
      return (value({ col: c.col }) === null) !== c.neg;
  }
}

/** The sources a condition reads. */
function condSources(c: Cond): number[] {
  switch (c.k) {
    case 'cmp':
      return [...('col' in c.l ? [c.l.col[0]] : []), ...('col' in c.r ? [c.r.col[0]] : [])];
    case 'and':
    case 'or':
      return [...condSources(c.a), ...condSources(c.b)];
    case 'not':
      return condSources(c.a);
    case 'null':
      return [c.col[0]];
  }
}

/** The query's rows on `state`: nested loops over every row of every source (a multiset of hex). */
function reference(q: QueryModel, state: State): Map<string, number> {
  const out = new Map<string, number>();
  const tables = q.sources.map(s => [...state[s.table].entries()]);
  // Each condition is checked once every source it reads is bound (still plain nested loops).
  const readyAt = q.conds.map(c => Math.max(0, ...condSources(c)));
  const rows: Row[] = [];
  const hexes: string[] = [];
  const loop = (depth: number): void => {
    if (depth === q.sources.length) {
      const h = hexes[q.returned]!;
      out.set(h, (out.get(h) ?? 0) + 1);
      return;
    }
    for (const [hex, row] of tables[depth]!) {
      rows[depth] = row;
      hexes[depth] = hex;
      if (q.conds.every((c, i) => readyAt[i] !== depth || evalCond(c, rows, q) === true))
        loop(depth + 1);
    }
  };
  loop(0);
  return out;
}

// ---- the same deltas through both wire protocols -------------------------------------------
// Each subscriber belongs to one of a few clients, under one of its query sets. Every call's
// deltas go through `fanOut`, are shaped as v1 and v2 messages, encoded, decoded with the client
// decoders and applied to each client's caches as the SDKs keep them: v1 per table (a
// `TableUpdate` does not say which query a row came from), v2 per query set and table.

type Multiset = Map<string, number>;

interface WireClient {
  readonly name: string;
  /** v1: rows per table name. */
  readonly v1: Map<string, Multiset>;
  /** v2: rows per `${querySetId}/${table name}`. */
  readonly v2: Map<string, Multiset>;
}

const wireClients = (): WireClient[] =>
  ['c0', 'c1', 'c2'].map(name => ({ name, v1: new Map(), v2: new Map() }));

/** Adds (`sign` 1) or removes (-1) rows; removing a row the cache does not hold fails. */
function applyRows(
  cache: Map<string, Multiset>,
  key: string,
  rows: readonly Uint8Array[],
  sign: 1 | -1,
  fail: (message: string) => never,
): void {
  let rowsOf = cache.get(key);
  if (rowsOf === undefined) cache.set(key, (rowsOf = new Map()));
  for (const raw of rows) {
    const h = hexOf(raw);
    const n = (rowsOf.get(h) ?? 0) + sign;
    if (n < 0) fail(`the cache ${key} loses a row it does not hold: ${h}`);
    if (n === 0) rowsOf.delete(h);
    else rowsOf.set(h, n);
  }
}

/** A decoded v1 `DatabaseUpdate` applied to a v1 cache (each query update: deletes first). */
function applyV1(client: WireClient, update: DatabaseUpdate, fail: (m: string) => never): void {
  for (const t of update.tables) {
    if (schema.tableByName(t.tableName)?.id !== t.tableId)
      fail(`v1 table ${t.tableName} arrived with id ${t.tableId}`);
    for (const q of t.updates) {
      applyRows(client.v1, t.tableName, q.deletes, -1, fail);
      applyRows(client.v1, t.tableName, q.inserts, 1, fail);
    }
  }
}

function v1Message(message: ServerMessage): ServerMessage {
  return decodeServerMessageBsatn(encodeServerMessageBsatn(message));
}

function v2Message(message: V2ServerMessage): V2ServerMessage {
  return decodeV2ServerMessage(encodeV2ServerMessage(message));
}

/** A query set's rows (subscribe or unsubscribe) through both protocols. */
function wireRows(
  sub: ModelSub,
  rows: readonly Uint8Array[],
  joined: boolean,
  fail: (m: string) => never,
) {
  const list = [{ query: sub.query, rows }];
  const common = { requestId: 0, totalHostExecutionDurationMicros: 0n, queryId: sub.set };
  const v1 = v1Message(
    joined
      ? { tag: 'SubscribeMultiApplied', ...common, update: rowsUpdate(schema, list, 'inserts') }
      : { tag: 'UnsubscribeMultiApplied', ...common, update: rowsUpdate(schema, list, 'deletes') },
  );
  if (v1.tag !== 'SubscribeMultiApplied' && v1.tag !== 'UnsubscribeMultiApplied')
    return fail(`v1 rows decoded as ${v1.tag}`);
  applyV1(sub.client, v1.update, fail);
  const base = { requestId: 0, querySetId: sub.set, rows: queryRowsOf(list) };
  const v2 = v2Message(
    joined ? { tag: 'SubscribeApplied', ...base } : { tag: 'UnsubscribeApplied', ...base },
  );
  if ((v2.tag !== 'SubscribeApplied' && v2.tag !== 'UnsubscribeApplied') || v2.rows === undefined)
    return fail(`v2 rows decoded as ${v2.tag}`);
  for (const t of v2.rows.tables)
    applyRows(sub.client.v2, `${sub.set}/${t.table}`, t.rows, joined ? 1 : -1, fail);
}

/** One call's fan-out, each distinct share encoded once per protocol, applied to its clients. */
function wireDeliver(fan: CallFanOut<WireClient>, fail: (m: string) => never): number {
  if (fan.failed.length > 0) fail(`${fan.failed.length} queries failed`);
  const decoded = new Map<readonly ClientDelta[], [ServerMessage, V2ServerMessage]>();
  for (const [client, deltas] of fan.byClient) {
    let pair = decoded.get(deltas);
    if (pair === undefined) {
      const v1 = v1Message({
        tag: 'TransactionUpdateLight',
        requestId: 0,
        update: deltaUpdate(schema, deltas),
      });
      const v2 = v2Message({ tag: 'TransactionUpdate', ...transactionUpdateOf(deltas) });
      decoded.set(deltas, (pair = [v1, v2]));
    }
    const [v1, v2] = pair;
    if (v1.tag !== 'TransactionUpdateLight') return fail(`v1 delta decoded as ${v1.tag}`);
    if (v2.tag !== 'TransactionUpdate') return fail(`v2 delta decoded as ${v2.tag}`);
    applyV1(client, v1.update, fail);
    for (const set of v2.querySets)
      for (const t of set.tables)
        for (const r of t.rows) {
          if (r.tag !== 'PersistentTable') return fail(`v2 rows of ${t.tableName} are ${r.tag}`);
          applyRows(client.v2, `${set.querySetId}/${t.tableName}`, r.deletes, -1, fail);
          applyRows(client.v2, `${set.querySetId}/${t.tableName}`, r.inserts, 1, fail);
        }
  }
  return decoded.size;
}

/** The caches each client must hold: the sum of its subscribers' reference results. */
function wireCheck(
  clients: readonly WireClient[],
  subscribers: readonly ModelSub[],
  want: (s: ModelSub) => ReadonlyMap<string, number>,
  fail: (m: string) => never,
): void {
  for (const client of clients) {
    const v1 = new Map<string, Multiset>();
    const v2 = new Map<string, Multiset>();
    for (const s of subscribers) {
      if (s.client !== client) continue;
      const table = s.model.sources[s.model.returned]!.table;
      applyRows(v1, table, [], 1, fail);
      applyRows(v2, `${s.set}/${table}`, [], 1, fail);
      for (const [h, n] of want(s)) {
        for (const [cache, key] of [
          [v1, table],
          [v2, `${s.set}/${table}`],
        ] as const) {
          const rows = cache.get(key)!;
          rows.set(h, (rows.get(h) ?? 0) + n);
        }
      }
    }
    for (const [what, got, expected] of [
      ['v1', client.v1, v1],
      ['v2', client.v2, v2],
    ] as const) {
      const keys = new Set([...got.keys(), ...expected.keys()]);
      for (const key of keys) {
        const table = key.slice(key.indexOf('/') + 1) as TableName;
        const g = got.get(key) ?? new Map<string, number>();
        const e = expected.get(key) ?? new Map<string, number>();
        if (!sameMultiset(g, e))
          fail(
            `${what} cache ${key} of client ${client.name} holds ${describeMultiset(g, table)}, ` +
              `the reference says ${describeMultiset(e, table)}`,
          );
      }
    }
  }
}

// ---- the run -------------------------------------------------------------------------------

/** A subscribed query of one client under one of its query sets, with its own cache. */
interface ModelSub extends Subscriber<WireClient> {
  readonly id: number;
  readonly model: QueryModel;
  readonly cache: Map<string, number>;
}

interface Totals {
  nonEmptyDeltas: number;
  joinDeltas: number;
  threeWayDeltas: number;
  rowsDelivered: number;
  pinnedQueries: number;
  comparisons: number;
  batches: number;
  calls: number;
  multiCallRows: number;
  /** Distinct shares encoded and decoded in both protocols. */
  wireShares: number;
}

function sameMultiset(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, n] of a) if (b.get(k) !== n) return false;
  return true;
}

function describeMultiset(m: ReadonlyMap<string, number>, table: TableName): string {
  return JSON.stringify([...m].map(([h, n]) => [fromBytes(table, Buffer.from(h, 'hex')), n]));
}

/** One seed's run: its random stream, the store, the registry and what the model holds. */
interface SeedRun {
  readonly seed: number;
  readonly rnd: () => number;
  readonly store: DatabaseStore;
  readonly totals: Totals;
  readonly registry: SubscriptionRegistry<ModelSub>;
  readonly subscribers: ModelSub[];
  readonly clients: WireClient[];
  readonly queries: QueryModel[];
  nextId: number;
  state: State;
}

const pick = <X>(run: SeedRun, xs: readonly X[]): X => xs[Math.floor(run.rnd() * xs.length)]!;
const int = (run: SeedRun, lo: number, hi: number): number =>
  lo + Math.floor(run.rnd() * (hi - lo + 1));

function fail(run: SeedRun, op: number, message: string): never {
  const replay = `SUBSCRIBE_MODEL_SEED=${run.seed} SUBSCRIBE_MODEL_RUNS=1`;
  throw new Error(`seed ${run.seed}, operation ${op}: ${message} (replay: ${replay})`);
}

/** Deletes whatever the previous seed left, so each seed starts empty. */
function wipeStore(store: DatabaseStore): void {
  const r = store.read();
  const wipe: Write[] = [];
  for (const name of ['a', 'b', 'c'] as TableName[])
    for (const raw of r.scan(tableOf(name).id))
      wipe.push({ op: 'delete', table: name, row: toValues(name, fromBytes(name, raw)) });
  r.close();
  if (wipe.length > 0) runBatch(store, [wipe]).after.close();
}

/** Every subscriber's cache and every client's wire caches against the reference at `at`. */
function checkAll(run: SeedRun, op: number, at: State, label: string): void {
  const memo = new Map<string, Map<string, number>>();
  for (const s of run.subscribers) {
    let want = memo.get(s.model.sql);
    if (want === undefined) memo.set(s.model.sql, (want = reference(s.model, at)));
    run.totals.comparisons++;
    if (!sameMultiset(s.cache, want)) {
      const table = s.model.sources[s.model.returned]!.table;
      const held = describeMultiset(s.cache, table);
      const expected = describeMultiset(want, table);
      fail(
        run,
        op,
        `${label}: subscriber ${s.id} of ${s.model.sql} holds ${held}, ` +
          `the reference says ${expected}`,
      );
    }
  }
  wireCheck(
    run.clients,
    run.subscribers,
    sub => memo.get(sub.model.sql)!,
    m => fail(run, op, `${label}: ${m}`),
  );
}

/** A new random row of `table`. */
function freshRow(run: SeedRun, table: TableName): Row {
  if (table === 'a')
    return [
      int(run, 0, 7),
      int(run, 0, 3),
      int(run, 0, 3),
      run.rnd() < 0.3 ? null : int(run, 0, 3),
      pick(run, STRINGS),
    ];
  if (table === 'b') return [int(run, 0, 7), int(run, 0, 7), int(run, 0, 3), int(run, 0, 3)];
  return [int(run, 0, 3), int(run, 0, 3), int(run, 0, 2)];
}

/** A random write against `work`, mostly one that succeeds; applied to `work`. */
function randomWrite(run: SeedRun, work: Record<TableName, Row[]>): Write {
  const table = pick(run, ['a', 'a', 'b', 'b', 'c'] as TableName[]);
  const rows = work[table];
  const keyOf = (r: Row): string => (table === 'c' ? JSON.stringify(r) : String(r[0]));
  const existing = rows.length > 0 ? pick(run, rows) : undefined;
  const r = run.rnd();
  let w: Write;
  let row: Row;
  if (existing !== undefined && r < 0.25) {
    row = existing;
    w = { op: 'delete', table, row: toValues(table, row) };
  } else if (existing !== undefined && r < 0.6 && table !== 'c') {
    // Updates change one column of a few values, so rows move in and out of filters and joins.
    const next = [...existing];
    const col = int(run, 1, next.length - 1);
    next[col] = freshRow(run, table)[col]!;
    row = next;
    w = { op: 'update', table, row: toValues(table, row) };
  } else {
    row = freshRow(run, table);
    const taken = () => rows.some(x => keyOf(x) === keyOf(row));
    for (let tries = 0; tries < 5 && run.rnd() < 0.95 && taken(); tries++)
      row = freshRow(run, table);
    w = { op: 'insert', table, row: toValues(table, row) };
  }
  const rest = rows.filter(x => keyOf(x) !== keyOf(row));
  work[table] =
    w.op === 'delete'
      ? rest
      : w.op === 'update' || rest.length === rows.length
        ? [...rest, row]
        : rows;
  return w;
}

/** Subscribe: often to a query someone already has (shared), else a new random one. */
function subscribeOp(run: SeedRun, op: number): void {
  const { rnd, queries, clients, store } = run;
  const model = queries.length > 0 && rnd() < 0.3 ? pick(run, queries) : randomQuery(rnd);
  if (!queries.includes(model)) queries.push(model);
  let query: CompiledSubscription;
  try {
    query = compileSubscription(schema, model.sql, { isOwner: rnd() < 0.5 });
  } catch (err) {
    return fail(run, op, `${model.sql} did not compile: ${(err as Error).message}`);
  }
  // Clients and query sets follow from the id, so the random stream is the same as before.
  const id = run.nextId++;
  const [client, set] = [clients[id % clients.length]!, 1 + (Math.floor(id / 3) % 2)];
  const sub: ModelSub = { id, model, query, cache: new Map(), client, set };
  const reader = store.read();
  try {
    const rows = evaluateSubscription(query, reader);
    for (const raw of rows) sub.cache.set(hexOf(raw), (sub.cache.get(hexOf(raw)) ?? 0) + 1);
    wireRows(sub, rows, true, m => fail(run, op, `subscribing: ${m}`));
  } finally {
    reader.close();
  }
  run.registry.add(query, sub);
  run.subscribers.push(sub);
  if (model.pinned) run.totals.pinnedQueries++;
  checkAll(run, op, run.state, 'after subscribing');
}

/** Unsubscribe a random subscriber; its rows leave the wire caches. */
function unsubscribeOp(run: SeedRun, op: number): void {
  const sub = run.subscribers.splice(int(run, 0, run.subscribers.length - 1), 1)[0]!;
  run.registry.remove(sub.query, sub);
  const reader = run.store.read();
  try {
    const rows = evaluateSubscription(sub.query, reader);
    wireRows(sub, rows, false, m => fail(run, op, `unsubscribing: ${m}`));
  } finally {
    reader.close();
  }
}

/** Applies one delta of call `i` to the caches of its subscribers, counting what it holds. */
function applyDelta(run: SeedRun, op: number, i: number, d: QueryDelta<ModelSub>): void {
  const { totals } = run;
  if (d.inserts.length + d.deletes.length === 0)
    fail(run, op, `an empty delta for ${d.shared.query.sql}`);
  totals.nonEmptyDeltas++;
  const model = [...d.shared.subscribers][0]!.model;
  if (model.sources.length > 1) totals.joinDeltas++;
  if (model.sources.length > 2) totals.threeWayDeltas++;
  totals.rowsDelivered += d.inserts.length + d.deletes.length;
  for (const sub of d.shared.subscribers) {
    for (const raw of d.deletes) {
      const n = sub.cache.get(hexOf(raw)) ?? 0;
      if (n === 0) {
        const row = JSON.stringify(fromBytes(sub.model.sources[sub.model.returned]!.table, raw));
        fail(
          run,
          op,
          `call ${i} deletes a row subscriber ${sub.id} of ${sub.model.sql} lacks: ${row}`,
        );
      }
      if (n === 1) sub.cache.delete(hexOf(raw));
      else sub.cache.set(hexOf(raw), n - 1);
    }
    for (const raw of d.inserts) sub.cache.set(hexOf(raw), (sub.cache.get(hexOf(raw)) ?? 0) + 1);
  }
}

/** Random calls of 1–3 writes each, for a batch of 1–5; each write counts as an operation. */
function randomCalls(run: SeedRun, op: number): { calls: Write[][]; op: number } {
  const calls: Write[][] = [];
  const { state } = run;
  const work = {
    a: [...state.a.values()],
    b: [...state.b.values()],
    c: [...state.c.values()],
  } as Record<TableName, Row[]>;
  for (let n = int(run, 1, 5); n > 0; n--) {
    const call: Write[] = [];
    for (let w = int(run, 1, 3); w > 0; w--, op++) call.push(randomWrite(run, work));
    calls.push(call);
  }
  return { calls, op: op - 1 };
}

/**
 * A batch of 1–5 calls, each of 1–3 writes; a call that fails (a key collision) is rolled back.
 * Returns the operation number of its last write.
 */
function batchOp(run: SeedRun, first: number): number {
  const { calls, op } = randomCalls(run, first);
  const { store, totals, registry } = run;
  const { calls: changes, after } = runBatch(store, calls);
  totals.batches++;
  totals.calls += changes.length;
  const seen = new Map<string, number>();
  for (const c of changes)
    for (const tc of c)
      for (const raw of [...tc.inserts, ...tc.deletes])
        seen.set(hexOf(raw), (seen.get(hexOf(raw)) ?? 0) + 1);
  totals.multiCallRows += [...seen.values()].filter(n => n > 1).length;
  try {
    const deltas = registry.evaluateBatch(changes, after);
    if (deltas.length !== changes.length)
      fail(run, op, `${deltas.length} delta lists for ${changes.length} calls`);
    const fans = fanOut<WireClient>(registry, changes, after);
    if (fans.length !== changes.length)
      fail(run, op, `${fans.length} fan-outs for ${changes.length} calls`);
    changes.forEach((call, i) => {
      run.state = applyChanges(run.state, call);
      for (const d of deltas[i]!) applyDelta(run, op, i, d);
      totals.wireShares += wireDeliver(fans[i]!, m => fail(run, op, `call ${i}: ${m}`));
      checkAll(run, op, run.state, `after call ${i} of the batch`);
    });
  } finally {
    after.close();
  }
  return op;
}

/** The model followed the store's change sets; the store must agree with it at the end. */
function checkStore(run: SeedRun): void {
  const r = run.store.read();
  try {
    for (const name of ['a', 'b', 'c'] as TableName[]) {
      const stored = r.scan(tableOf(name).id).map(hexOf).sort();
      if (JSON.stringify(stored) !== JSON.stringify([...run.state[name].keys()].sort()))
        fail(run, OPS, `the model of table ${name} drifted from the store`);
    }
  } finally {
    r.close();
  }
}

function runSeed(seed: number, store: DatabaseStore, totals: Totals): void {
  wipeStore(store);
  const run: SeedRun = {
    seed,
    rnd: mulberry32(seed),
    store,
    totals,
    registry: new SubscriptionRegistry<ModelSub>(schema),
    subscribers: [],
    clients: wireClients(),
    queries: [],
    nextId: 1,
    state: { a: new Map(), b: new Map(), c: new Map() },
  };
  // An operation is one subscribe, one unsubscribe or one write; writes are grouped into calls
  // of 1–3 writes and calls into batches of 1–5.
  for (let op = 0; op < OPS; op++) {
    const r = run.rnd();
    const { length } = run.subscribers;
    if ((r < 0.15 && length < MAX_SUBSCRIBERS) || length === 0) subscribeOp(run, op);
    else if (r < 0.27) unsubscribeOp(run, op);
    else op = batchOp(run, op);
  }
  checkStore(run);
  expect(run.registry.size).toBe(new Set(run.subscribers.map(s => s.query.key)).size);
}
describe('subscription engine against a reference model', () => {
  it(
    `keeps every subscriber's cache equal to a fresh evaluation (${RUNS} seeds × ${OPS} ops)`,
    () => {
      const store = newStore(schema);
      const totals: Totals = {
        nonEmptyDeltas: 0,
        joinDeltas: 0,
        threeWayDeltas: 0,
        rowsDelivered: 0,
        pinnedQueries: 0,
        comparisons: 0,
        batches: 0,
        calls: 0,
        multiCallRows: 0,
        wireShares: 0,
      };
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let k = 0; k < RUNS; k++) runSeed(FIRST_SEED + k, store, totals);
      const wallMs = Math.round(performance.now() - started);
      const cpuMs = Math.round(process.cpuUsage(cpu).user / 1000);
      console.log(
        `subscription model test: ${JSON.stringify(totals)} in ${wallMs} ms (${cpuMs} ms CPU)`,
      );
      // A test that cannot fail is a defect: the run must have produced real work of every kind
      // (per seed on average: ~70 non-empty deltas, ~50 of joins, ~18 of 3-way joins, ~5 pinned
      // queries, ~14 rows changed by several calls of a batch, ~350 cache comparisons). A replay of
      // a few seeds is too small a sample for these floors.
      if (RUNS >= 20) {
        expect(totals.nonEmptyDeltas).toBeGreaterThan(RUNS * 20);
        expect(totals.joinDeltas).toBeGreaterThan(RUNS * 10);
        expect(totals.threeWayDeltas).toBeGreaterThan(RUNS * 3);
        expect(totals.pinnedQueries).toBeGreaterThan(RUNS);
        expect(totals.multiCallRows).toBeGreaterThan(RUNS * 3);
        expect(totals.comparisons).toBeGreaterThan(RUNS * 100);
        expect(totals.wireShares).toBeGreaterThan(RUNS * 20);
      }
      expect(totals.rowsDelivered).toBeGreaterThan(0);
      // About 40 ms of CPU per seed; the margin covers a busy machine.
    },
    60_000 + RUNS * 500,
  );
});
