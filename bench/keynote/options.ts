/**
 * @module
 * The harness's options: defaults, parsing of the command line, and validation that names the
 * bad flag. Every input is bounded; lists (`--alpha`, `--targets`, `--protocol`) are short and
 * free of repeats.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PROTOCOLS, TARGET_NAMES, type TargetName, type WasmbaseProtocol } from './target.js';

export interface KeynoteOptions {
  readonly alphas: readonly number[];
  readonly clients: number;
  readonly inflight: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly accounts: number;
  readonly targets: readonly TargetName[];
  /** WebSocket protocols the wasmbase targets are driven with, one run each, in this order. */
  readonly protocols: readonly WasmbaseProtocol[];
  /** Balance every account starts with. */
  readonly initial: bigint;
  /** Calls per write transaction, for wasmbase and lmdb-raw alike. */
  readonly batch: number;
  /** Precomputed account pairs (shared by all clients, each from its own offset). */
  readonly pairs: number;
  /** Load-generator worker threads. */
  readonly threads: number;
  /** Connections in node-pg's pool. */
  readonly pgPool: number;
  /** wasmbase reducer worker threads. */
  readonly workers: number;
  /** A call without an answer after this long counts as lost. */
  readonly opTimeoutSec: number;
  /** Where keynote.json and keynote.svg go; undefined writes nothing. */
  readonly outDir: string | undefined;
  /** When set, the wasmbase server runs with --cpu-prof into this folder. */
  readonly profileDir: string | undefined;
}

export const DEFAULT_OPTIONS: KeynoteOptions = {
  alphas: [0, 1.5],
  clients: 64,
  inflight: 40,
  seconds: 30,
  warmup: 5,
  accounts: 100_000,
  targets: TARGET_NAMES,
  protocols: ['v1', 'v3'],
  initial: 1_000_000_000n,
  batch: 512,
  pairs: 10_000_000,
  threads: 2,
  pgPool: 16,
  workers: 2,
  opTimeoutSec: 15,
  outDir: 'bench/results',
  profileDir: undefined,
};

export const USAGE = `Usage: npm run bench:keynote -- [options]

The keynote transfer benchmark: wasmbase vs Node + PostgreSQL vs raw lmdb-js, same load generator.

  --alpha <list>       Zipf exponents, comma-separated (0 = uniform)          [0,1.5]
  --clients <n>        WebSocket client connections                          [64]
  --inflight <n>       calls in flight per client                            [40]
  --seconds <s>        timed window per run                                  [30]
  --warmup <s>         warm-up before the window (not measured)              [5]
  --accounts <n>       accounts seeded                                       [100000]
  --targets <list>     wasmbase,wasmbase-sdk,node-pg,lmdb-raw (any subset,
                       in run order)                                         [all]
  --protocol <list>    v1,v2,v3: WebSocket protocols of the wasmbase targets,
                       one run each (wasmbase-sdk: v2 and v3 only)           [v1,v3]
  --initial <n>        starting balance of every account                     [1000000000]
  --batch <n>          calls per write transaction (wasmbase, lmdb-raw)      [512]
  --pairs <n>          precomputed account pairs                             [10000000]
  --threads <n>        load-generator worker threads                         [2]
  --pg-pool <n>        node-pg pool size                                     [16]
  --workers <n>        wasmbase reducer worker threads                       [2]
  --op-timeout <s>     a call unanswered this long counts as lost            [15]
  --out <dir>          where keynote.json and keynote.svg are written        [bench/results]
  --no-out             write no files
  --profile <dir>      run the wasmbase server with --cpu-prof into <dir>
  -h, --help           this text

PostgreSQL binaries are looked up in $WASMBASE_PG_BIN, /usr/local/bin, /usr/lib/postgresql/*/bin
and $PATH.`;

export class UsageError extends Error {}

function number(flag: string, text: string, min: number, max: number, integer: boolean): number {
  const value = Number(text.replaceAll('_', ''));
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `invalid --${flag}: expected ${integer ? 'an integer' : 'a number'}, got "${text}"`,
    );
  }
  if (value < min || value > max)
    throw new UsageError(`invalid --${flag}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

const FLAGS = {
  alpha: { type: 'string' },
  clients: { type: 'string' },
  inflight: { type: 'string' },
  seconds: { type: 'string' },
  warmup: { type: 'string' },
  accounts: { type: 'string' },
  targets: { type: 'string' },
  protocol: { type: 'string' },
  initial: { type: 'string' },
  batch: { type: 'string' },
  pairs: { type: 'string' },
  threads: { type: 'string' },
  'pg-pool': { type: 'string' },
  workers: { type: 'string' },
  'op-timeout': { type: 'string' },
  out: { type: 'string' },
  'no-out': { type: 'boolean' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** A comma-separated list of known names, each at most once. */
function nameList<T extends string>(flag: string, text: string, known: readonly T[]): T[] {
  const names = text.split(',').map(t => t.trim());
  const isKnown = (name: string): name is T => (known as readonly string[]).includes(name);
  const unknown = names.filter(n => !isKnown(n));
  if (unknown.length > 0)
    throw new UsageError(
      `invalid --${flag}: unknown ${unknown.map(n => JSON.stringify(n)).join(', ')} ` +
        `(known: ${known.join(', ')})`,
    );
  if (new Set(names).size !== names.length)
    throw new UsageError(`invalid --${flag}: a name is listed twice`);
  return names.filter(isKnown);
}

/** Parses argv (without node and the script); throws UsageError naming the bad flag. */
export function parseOptions(argv: readonly string[]): KeynoteOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: FLAGS,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  const d = DEFAULT_OPTIONS;
  const alphas =
    v.alpha === undefined
      ? d.alphas
      : v.alpha.split(',').map(a => number('alpha', a.trim(), 0, 5, false));
  if (alphas.length === 0 || alphas.length > 8)
    throw new UsageError('invalid --alpha: give 1 to 8 values');
  const targets =
    v.targets === undefined ? d.targets : nameList('targets', v.targets, TARGET_NAMES);
  const protocols =
    v.protocol === undefined ? d.protocols : nameList('protocol', v.protocol, PROTOCOLS);
  let initial = d.initial;
  if (v.initial !== undefined) {
    if (!/^\d{1,15}$/.test(v.initial) || BigInt(v.initial) < 1n)
      throw new UsageError(
        `invalid --initial: expected an integer from 1 to 999999999999999, got "${v.initial}"`,
      );
    initial = BigInt(v.initial);
  }
  const accounts =
    v.accounts === undefined ? d.accounts : number('accounts', v.accounts, 2, 10_000_000, true);
  // The seed total must fit an i64 (and the exact check sums in bigint anyway).
  if (BigInt(accounts) * initial > 2n ** 62n)
    throw new UsageError('invalid --initial: accounts × initial balance must stay below 2^62');
  return {
    alphas,
    clients: v.clients === undefined ? d.clients : number('clients', v.clients, 1, 1024, true),
    inflight: v.inflight === undefined ? d.inflight : number('inflight', v.inflight, 1, 1024, true),
    seconds: v.seconds === undefined ? d.seconds : number('seconds', v.seconds, 0.5, 3600, false),
    warmup: v.warmup === undefined ? d.warmup : number('warmup', v.warmup, 0, 600, false),
    accounts,
    targets,
    protocols,
    initial,
    batch: v.batch === undefined ? d.batch : number('batch', v.batch, 1, 65_536, true),
    pairs: v.pairs === undefined ? d.pairs : number('pairs', v.pairs, 1_000, 50_000_000, true),
    threads: v.threads === undefined ? d.threads : number('threads', v.threads, 1, 64, true),
    pgPool: v['pg-pool'] === undefined ? d.pgPool : number('pg-pool', v['pg-pool'], 1, 150, true),
    workers: v.workers === undefined ? d.workers : number('workers', v.workers, 1, 64, true),
    opTimeoutSec:
      v['op-timeout'] === undefined
        ? d.opTimeoutSec
        : number('op-timeout', v['op-timeout'], 1, 600, false),
    outDir: v['no-out'] === true ? undefined : (v.out ?? d.outDir),
    profileDir: v.profile,
  };
}
