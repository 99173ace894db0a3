/**
 * @module
 * The one place a reducer call is checked before it runs, for every front end (HTTP, both
 * WebSocket protocols, the CLI, benchmarks) and for calls carried over to a republished module:
 * the reducer exists (with a "did you mean" hint and the list of callable reducers), lifecycle
 * and scheduled reducers are refused to clients (only the server and the scheduler call them),
 * and the arguments — BSATN or JSON text — fit the parameters.
 */
import {
  BsatnReader,
  checkJsonDepth,
  reducerArgsFromJson,
  skipValue,
  WasmbaseError,
  type ModuleSchema,
  type ReducerSchema,
} from '../protocol/index.js';
import type { CallArgs } from './engine-types.js';

/** A call that passed every check: its reducer and its arguments as BSATN. */
export interface PreparedCall {
  readonly reducer: ReducerSchema;
  readonly args: Uint8Array;
}

/** Most reducer names listed in a REDUCER_NOT_FOUND message. */
const LISTED_REDUCERS = 12;

/** Edit distance, for the "did you mean" hint. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** The closest candidate within a third of the name's length, if any. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function notFound(schema: ModuleSchema, name: string): WasmbaseError {
  const shown = name.slice(0, 80);
  const callable = schema.reducers
    .filter(r => r.lifecycle === undefined && schema.scheduleOfReducer(r.id) === undefined)
    .map(r => r.name);
  const hint = name.length > 256 ? undefined : closest(name, callable);
  const list =
    callable.length <= LISTED_REDUCERS
      ? callable.join(', ')
      : `${callable.slice(0, LISTED_REDUCERS).join(', ')}, … (see GET .../schema?version=9)`;
  const mean = hint === undefined ? '' : `; did you mean "${hint}"?`;
  return new WasmbaseError(
    'REDUCER_NOT_FOUND',
    `no reducer "${shown}" in this database${mean} Its reducers are: ${list || 'none'}`,
    { reducer: shown },
  );
}

function bsatnArgs(reducer: ReducerSchema, args: CallArgs): Uint8Array {
  if (args instanceof Uint8Array) {
    try {
      const r = new BsatnReader(args);
      skipValue(r, { tag: 'Product', elements: reducer.params.elements });
      r.expectEnd('arguments');
    } catch (err) {
      const why = err instanceof WasmbaseError ? err.message : 'malformed BSATN';
      throw new WasmbaseError(
        'REDUCER_ARGS_INVALID',
        `arguments of ${reducer.name} do not match its parameters: ${why}`,
        { reducer: reducer.name },
      );
    }
    return args;
  }
  let json: unknown;
  checkJsonDepth(args.jsonText, `the arguments of ${reducer.name}`);
  try {
    json = args.jsonText.trim() === '' ? [] : JSON.parse(args.jsonText);
  } catch (err) {
    const why = err instanceof Error ? `: ${err.message}` : '';
    throw new WasmbaseError(
      'INVALID_JSON',
      `the arguments of ${reducer.name} are not valid JSON${why}`,
      {
        reducer: reducer.name,
      },
    );
  }
  return reducerArgsFromJson(reducer.name, reducer.params, json);
}

/**
 * Checks a call against `schema`. Throws REDUCER_NOT_FOUND, LIFECYCLE_NOT_CALLABLE or
 * SCHEDULED_NOT_CALLABLE (unless `allowLifecycle`: the server's own calls),
 * REDUCER_ARGS_INVALID or INVALID_ARGUMENT (JSON arguments of the wrong shape), each with one
 * message for every front end.
 */
export function prepareCall(
  schema: ModuleSchema,
  name: string,
  args: CallArgs,
  allowLifecycle = false,
): PreparedCall {
  const reducer = schema.reducerByName(name);
  if (reducer === undefined) throw notFound(schema, name);
  if (reducer.lifecycle !== undefined && !allowLifecycle) {
    throw new WasmbaseError(
      'LIFECYCLE_NOT_CALLABLE',
      `reducer "${reducer.name}" is the ${reducer.lifecycle} lifecycle reducer; ` +
        'the server calls it, clients cannot',
      { reducer: reducer.name },
    );
  }
  const schedule = allowLifecycle ? undefined : schema.scheduleOfReducer(reducer.id);
  if (schedule !== undefined) {
    throw new WasmbaseError(
      'SCHEDULED_NOT_CALLABLE',
      `reducer "${reducer.name}" is run by the schedule table "${schedule.tableName}"; ` +
        'insert a row there to schedule it, clients cannot call it directly',
      { reducer: reducer.name, table: schedule.tableName },
    );
  }
  return { reducer, args: bsatnArgs(reducer, args) };
}
