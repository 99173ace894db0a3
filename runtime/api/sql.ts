/**
 * @module
 * SQL as a service: the `/sql` route's statements and the WebSocket's one-off queries, with the
 * rules that belong to the database rather than to SQL itself. Every statement is compiled
 * before any runs, so a mistake in the last statement runs none. A request of SELECTs only
 * reads one snapshot per statement. A request with any INSERT/UPDATE/DELETE runs all of its
 * statements as ONE transaction through `handle.transact` (serial with reducers, durable before
 * this resolves, seen by subscribers as one batch): if any statement fails, none takes effect.
 * Only the owner may run DML.
 *
 * Rows are encoded as they are produced, by the caller's `SqlRowEncoder` (JSON for `/sql`, BSATN
 * for one-off queries), and each row's size goes to a `ResultPace`: past the byte limit the
 * request fails with `RESULT_TOO_LARGE` before anything more is read, and an all-SELECT request
 * reads its snapshot in slices (`readAsync`), yielding to the event loop between them, so a big
 * result never stalls the server. SELECTs inside a DML request run in its one synchronous
 * transaction: their rows are counted against the limit but not sliced.
 */
import type { DatabaseHandle } from '../host/index.js';
import type { BatchTx } from '../store/index.js';
import type { ReadTx } from '../store/index.js';
import {
  encodeToBytes,
  WasmbaseError,
  type AlgebraicValue,
  type Identity,
  type ProductType,
} from '../protocol/index.js';
import {
  bindStatement,
  compileSql,
  executeDml,
  NO_STATS,
  parseSql,
  planStatement,
  selectRows,
  SQL_TX_LABEL,
  type SqlStats,
  type SqlStatementResult,
} from '../sql/index.js';
import { ResultPace, type ResultLimit, type SliceOptions } from './result-pace.js';

/** Who runs the SQL. Owners see private tables and may run INSERT, UPDATE and DELETE. */
export interface SqlCaller {
  readonly identity: Identity;
  readonly isOwner: boolean;
}

export interface RunSqlOptions {
  /** Most rows one statement may return (`--sql-row-limit`). */
  readonly rowLimit: number;
  /** Most encoded bytes of the whole result (none when absent). */
  readonly limit?: ResultLimit;
  /** How a big result is cut into slices (the default unless a test makes them small). */
  readonly slice?: SliceOptions;
}

/** One statement's rows being encoded: `row` returns the bytes it added. */
export interface StatementRows<R> {
  row(values: AlgebraicValue[]): number;
  done(): R;
}

/** Encodes each statement's rows as they are produced (the byte limit counts its sizes). */
export type SqlRowEncoder<R> = (schema: ProductType) => StatementRows<R>;

/** A statement's result with its rows as the encoder made them. */
export interface EncodedStatementResult<R> {
  readonly schema: ProductType;
  readonly rows: R;
  readonly totalDurationMicros: number;
  readonly stats: SqlStats;
}

/** Rows kept as values, counted as zero bytes (callers that encode later, tests). */
const VALUES: SqlRowEncoder<AlgebraicValue[][]> = () => {
  const rows: AlgebraicValue[][] = [];
  return {
    row: values => (rows.push(values), 0),
    done: () => rows,
  };
};

/** Rows as BSATN of the statement's row type, counted by their length. */
export const BSATN_ROWS: SqlRowEncoder<Uint8Array[]> = schema => {
  const type = { tag: 'Product', elements: schema.elements } as const;
  const rows: Uint8Array[] = [];
  return {
    row(values) {
      const bytes = encodeToBytes(type, values);
      rows.push(bytes);
      return bytes.length;
    },
    done: () => rows,
  };
};

const NO_LIMIT: ResultLimit = { maxBytes: Infinity, flag: '', what: 'the result' };

function paceFor(options: RunSqlOptions): ResultPace {
  return new ResultPace(options.limit ?? NO_LIMIT, options.slice);
}

/** The rows of one table a one-off query returned, as BSATN of `rowType`. */
export interface QueryTable {
  readonly tableName: string;
  readonly rowType: ProductType;
  readonly rows: readonly Uint8Array[];
}

const EMPTY_SCHEMA: ProductType = Object.freeze({ elements: Object.freeze([]) });

function micros(start: number): number {
  return Math.max(0, Math.round((performance.now() - start) * 1000));
}

/** Runs `sqlText` for the `/sql` route with rows as values (see the module comment). */
export function runSql(
  handle: DatabaseHandle,
  sqlText: string,
  caller: SqlCaller,
  options: RunSqlOptions,
): Promise<SqlStatementResult[]> {
  return runSqlEncoded(handle, sqlText, caller, options, VALUES);
}

/** Runs `sqlText` for the `/sql` route, each statement's rows made by `encoder`. */
export async function runSqlEncoded<R>(
  handle: DatabaseHandle,
  sqlText: string,
  caller: SqlCaller,
  options: RunSqlOptions,
  encoder: SqlRowEncoder<R>,
): Promise<EncodedStatementResult<R>[]> {
  const statements = parseSql(sqlText);
  const dml = statements.find(s => s.kind !== 'Select');
  if (dml !== undefined && !caller.isOwner) {
    const { line, column } = dml.pos;
    throw new WasmbaseError(
      'PERMISSION_DENIED',
      `only the owner of the database may run ${dml.kind.toUpperCase()} (at ${line}:${column})`,
      { line, column },
    );
  }
  const bind = { isOwner: caller.isOwner };
  const plans = statements.map(s => planStatement(bindStatement(s, handle.schema, bind)));
  const pace = paceFor(options);
  if (dml === undefined) {
    const out: EncodedStatementResult<R>[] = [];
    for (const plan of plans) {
      if (plan.kind !== 'SelectPlan') throw new WasmbaseError('INTERNAL', 'DML outside a tx');
      const start = performance.now();
      const rows = await handle.readAsync(tx => slicedRows(plan, tx, options, pace, encoder));
      const schema = plan.statement.schema;
      out.push({ schema, rows, totalDurationMicros: micros(start), stats: NO_STATS });
    }
    return out;
  }
  const all = (tx: BatchTx) =>
    plans.map((_plan, i) => runInTransaction(plans, i, tx, { options, pace, encoder }));
  return (await handle.transact(SQL_TX_LABEL, caller.identity, all)).result;
}

type Plan = ReturnType<typeof planStatement>;
type SelectPlan = Extract<Plan, { kind: 'SelectPlan' }>;

/** A SELECT's rows on `reader`, encoded, yielding to the event loop between slices. */
async function slicedRows<R>(
  plan: SelectPlan,
  reader: ReadTx,
  options: RunSqlOptions,
  pace: ResultPace,
  encoder: SqlRowEncoder<R>,
): Promise<R> {
  const out = encoder(plan.statement.schema);
  for (const row of selectRows(plan, reader, options)) {
    const wait = pace.add(out.row(row));
    if (wait !== undefined) await wait;
  }
  return out.done();
}

interface InTransaction<R> {
  readonly options: RunSqlOptions;
  readonly pace: ResultPace;
  readonly encoder: SqlRowEncoder<R>;
}

/**
 * Statement `i` of a request with DML, inside the request's one transaction (SELECTs see the
 * earlier statements' writes). A failure names the statement and says nothing was committed.
 */
function runInTransaction<R>(
  plans: readonly Plan[],
  i: number,
  tx: BatchTx,
  run: InTransaction<R>,
): EncodedStatementResult<R> {
  const plan = plans[i]!;
  const start = performance.now();
  try {
    if (plan.kind === 'SelectPlan') {
      const schema = plan.statement.schema;
      const out = run.encoder(schema);
      for (const row of selectRows(plan, tx, run.options)) run.pace.count(out.row(row));
      const rows = out.done();
      return { schema, rows, totalDurationMicros: micros(start), stats: NO_STATS };
    }
    const stats = executeDml(plan, tx);
    const rows = run.encoder(EMPTY_SCHEMA).done();
    return { schema: EMPTY_SCHEMA, rows, totalDurationMicros: micros(start), stats };
  } catch (err) {
    if (!(err instanceof WasmbaseError) || plans.length === 1) throw err;
    const why =
      `statement ${i + 1} of ${plans.length} failed, so the request's transaction was ` +
      `rolled back and none of its statements took effect: ${err.message}`;
    throw new WasmbaseError(err.code, why, { ...err.details, statement: i + 1 }, { cause: err });
  }
}

function oneOffPlans(handle: DatabaseHandle, sqlText: string, isOwner: boolean): SelectPlan[] {
  return compileSql(handle.schema, sqlText, { isOwner }).map(plan => {
    if (plan.kind !== 'SelectPlan') {
      throw new WasmbaseError(
        'SQL_UNSUPPORTED',
        'a one-off query over the WebSocket may only SELECT; ' +
          'use POST /v1/database/:name/sql for INSERT, UPDATE and DELETE',
      );
    }
    return plan;
  });
}

/** A one-off query: SELECTs only, each table's rows as BSATN, read on a snapshot each. */
export function oneOffQuery(
  handle: DatabaseHandle,
  sqlText: string,
  isOwner: boolean,
  options: RunSqlOptions,
): QueryTable[] {
  const pace = paceFor(options);
  return oneOffPlans(handle, sqlText, isOwner).map(plan => {
    const rowType = plan.statement.schema;
    const out = BSATN_ROWS(rowType);
    handle.read(tx => {
      for (const row of selectRows(plan, tx, options)) pace.count(out.row(row));
    });
    const tableName = plan.statement.sources[0]!.table.name;
    return { tableName, rowType, rows: out.done() };
  });
}

/** `oneOffQuery` read in slices (see the module comment): for the WebSocket. */
export async function oneOffQuerySliced(
  handle: DatabaseHandle,
  sqlText: string,
  isOwner: boolean,
  options: RunSqlOptions,
): Promise<QueryTable[]> {
  const pace = paceFor(options);
  const out: QueryTable[] = [];
  for (const plan of oneOffPlans(handle, sqlText, isOwner)) {
    const rowType = plan.statement.schema;
    const rows = await handle.readAsync(tx => slicedRows(plan, tx, options, pace, BSATN_ROWS));
    out.push({ tableName: plan.statement.sources[0]!.table.name, rowType, rows });
  }
  return out;
}
