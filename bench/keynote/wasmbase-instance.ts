/**
 * @module
 * One wasmbase server for one run, shared by the wasmbase targets: the real server (`runServer`,
 * see wasmbase-server.ts) in a child process on a fresh data dir, a token from
 * `POST /v1/identity`, the bank module published over HTTP and seeded through its `seed`
 * reducer. With `--profile`, seeding runs unprofiled and the server is restarted on the same
 * (durable) data with `--cpu-prof`, so the profiles cover warm-up and window only. At the end
 * the balances are read back with SQL before the server stops; a non-zero exit fails the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startChildServer, type ChildServer } from './child-server.js';
import { compiledScript, ROOT } from './compiled-script.js';
import { balancesById, type RunSetup } from './target.js';

export const BANK_WASM = path.join(ROOT, 'modules/bank/build/bank.wasm');
export const BANK_DATABASE = 'bank';
/** Seeding 100k rows is one long reducer call; the default 1 s limit is for ordinary calls. */
const SEED_TIMEOUT_MS = 300_000;

export interface WasmbaseOptions {
  /** Reducer worker threads (`--workers`). */
  readonly workers: number;
  /** When set, the server runs with `--cpu-prof` into `<profileDir>/<run label>/` (not seeding). */
  readonly profileDir?: string;
}

export interface WasmbaseInstance {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly port: string;
  /** The owner's long-lived token. */
  readonly token: string;
  /** Reads every balance with SQL, stops the server (a non-zero exit throws), removes the data. */
  finish(): Promise<BigInt64Array>;
  abort(): Promise<void>;
  output(): string;
}

async function http(url: string, init: RequestInit & { what: string }): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(
      `wasmbase: ${init.what} answered ${res.status}: ${(await res.text()).slice(0, 2000)}`,
    );
  return res;
}

function launch(
  dataDir: string,
  options: WasmbaseOptions,
  setup: RunSetup,
  nodeArgs: readonly string[],
): Promise<ChildServer> {
  const flags: Record<string, string> = {
    host: '127.0.0.1',
    port: '0',
    'data-dir': dataDir,
    'log-level': 'warn',
    'log-format': 'json',
    workers: String(options.workers),
    'batch-max-calls': String(setup.batchMaxCalls),
    'reducer-timeout-ms': String(SEED_TIMEOUT_MS),
    'sql-row-limit': String(Math.max(100_000, setup.accounts)),
    // The benchmark measures the server's ceiling: every client is one identity on loopback, so
    // the per-identity abuse limits are off (0) rather than part of the measurement.
    'rate-limit-calls-per-identity': '0',
    'max-connections-per-identity': '0',
  };
  return startChildServer({
    name: 'wasmbase server',
    nodeArgs,
    script: compiledScript('wasmbase-server'),
    args: Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value]),
    readyPattern: /listening on (http:\/\/127\.0\.0\.1:(\d+))/,
  });
}

/** Token, publish, seed; returns the owner's token. */
async function publishAndSeed(base: string, setup: RunSetup): Promise<string> {
  const identity = await http(`${base}/v1/identity`, { method: 'POST', what: 'POST /v1/identity' });
  const { token } = (await identity.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  await http(`${base}/v1/database/${BANK_DATABASE}`, {
    method: 'POST',
    headers: auth,
    body: readFileSync(BANK_WASM),
    what: 'publishing the bank module',
  });
  const t = performance.now();
  await http(`${base}/v1/database/${BANK_DATABASE}/call/seed`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify([setup.accounts, String(setup.initial)]),
    what: 'seed',
  });
  const seconds = ((performance.now() - t) / 1000).toFixed(1);
  setup.say(`  wasmbase: seeded ${setup.accounts} accounts in ${seconds} s`);
  return token;
}

async function readBalances(base: string, token: string): Promise<BigInt64Array> {
  const res = await http(`${base}/v1/database/${BANK_DATABASE}/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: 'SELECT * FROM accounts',
    what: 'SELECT * FROM accounts',
  });
  const [result] = (await res.json()) as { rows: [number, number | string][] }[];
  if (result === undefined) throw new Error('wasmbase: the SQL answer holds no result');
  return balancesById(
    result.rows.map(([id, balance]) => [id, BigInt(balance)] as const),
    result.rows.length,
  );
}

export async function startWasmbase(
  options: WasmbaseOptions,
  setup: RunSetup,
): Promise<WasmbaseInstance> {
  if (!existsSync(BANK_WASM))
    throw new Error(`${BANK_WASM} is missing: run "npm run build:modules" first`);
  const dataDir = mkdtempSync(path.join(setup.tempDir, 'wasmbase-'));
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  let server = await launch(dataDir, options, setup, []);
  try {
    const token = await publishAndSeed(server.ready[1]!, setup);
    if (options.profileDir !== undefined) {
      const profileArgs = [
        '--cpu-prof',
        '--cpu-prof-dir',
        path.resolve(options.profileDir, setup.label),
      ];
      const code = await server.stop();
      if (code !== 0)
        throw new Error(
          `the wasmbase server exited with ${code} after seeding:\n${server.output()}`,
        );
      server = await launch(dataDir, options, setup, profileArgs);
      setup.say(`  wasmbase: restarted with ${profileArgs.join(' ')}`);
    }
    const running = server;
    const base = running.ready[1]!;
    return {
      base,
      port: running.ready[2]!,
      token,
      async finish() {
        try {
          const balances = await readBalances(base, token);
          const code = await running.stop();
          if (code !== 0)
            throw new Error(`the wasmbase server exited with ${code}:\n${running.output()}`);
          return balances;
        } finally {
          await running.stop(2_000);
          remove();
        }
      },
      output: () => running.output(),
      async abort() {
        await running.stop(2_000);
        remove();
      },
    };
  } catch (err) {
    await server.stop(2_000);
    remove();
    throw err;
  }
}
