/**
 * The wasmbase target: the real server (`runServer`, see wasmbase-server.ts) in a child process on a fresh
 * data dir, the bank module published over HTTP with a token from `POST /v1/identity`, seeded
 * through its `seed` reducer; clients speak v1.bsatn over `/v1/database/bank/subscribe` with
 * confirmed (durable) results. Balances are read back with SQL before the server stops.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startChildServer } from './child-server.js';
import { compiledScript, ROOT } from './compiled-script.js';
import { balancesById, type Target } from './target.js';

export const BANK_WASM = path.join(ROOT, 'modules/bank/build/bank.wasm');
const DATABASE = 'bank';
/** Seeding 100k rows is one long reducer call; the default 1 s limit is for ordinary calls. */
const SEED_TIMEOUT_MS = 300_000;

export interface WasmbaseOptions {
  /** Reducer worker threads (`--workers`). */
  readonly workers: number;
  /** When set, the server runs with `--cpu-prof` into `<profileDir>/<run label>/` (seeding excluded). */
  readonly profileDir?: string;
}

async function http(url: string, init: RequestInit & { what: string }): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(
      `wasmbase: ${init.what} answered ${res.status}: ${(await res.text()).slice(0, 2000)}`,
    );
  return res;
}

export function wasmbaseTarget(options: WasmbaseOptions): Target {
  return {
    name: 'wasmbase',
    description: `wasmbase server (${options.workers} reducer workers), bank module, v1.bsatn WebSocket with confirmed results`,
    async start(setup) {
      if (!existsSync(BANK_WASM))
        throw new Error(`${BANK_WASM} is missing: run "npm run build:modules" first`);
      const dataDir = mkdtempSync(path.join(setup.tempDir, 'wasmbase-'));
      const remove = () => rmSync(dataDir, { recursive: true, force: true });
      const launch = (nodeArgs: readonly string[]) =>
        startChildServer({
          name: 'wasmbase server',
          nodeArgs,
          script: compiledScript('wasmbase-server'),
          args: [
            '--host',
            '127.0.0.1',
            '--port',
            '0',
            '--data-dir',
            dataDir,
            '--log-level',
            'warn',
            '--log-format',
            'json',
            '--workers',
            String(options.workers),
            '--batch-max-calls',
            String(setup.batchMaxCalls),
            '--reducer-timeout-ms',
            String(SEED_TIMEOUT_MS),
            '--sql-row-limit',
            String(Math.max(100_000, setup.accounts)),
          ],
          readyPattern: /listening on (http:\/\/127\.0\.0\.1:(\d+))/,
        });
      const profileArgs =
        options.profileDir === undefined
          ? []
          : ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.profileDir, setup.label)];
      let server = await launch([]);
      try {
        let base = server.ready[1]!;
        const { token } = (await (
          await http(`${base}/v1/identity`, { method: 'POST', what: 'POST /v1/identity' })
        ).json()) as { token: string };
        const auth = { authorization: `Bearer ${token}` };
        await http(`${base}/v1/database/${DATABASE}`, {
          method: 'POST',
          headers: auth,
          body: readFileSync(BANK_WASM),
          what: 'publishing the bank module',
        });
        const t = performance.now();
        await http(`${base}/v1/database/${DATABASE}/call/seed`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify([setup.accounts, String(setup.initial)]),
          what: 'seed',
        });
        setup.say(
          `  wasmbase: seeded ${setup.accounts} accounts in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
        if (profileArgs.length > 0) {
          // Keep the seeding out of the profile: restart on the same (durable) data with the profiler on.
          const code = await server.stop();
          if (code !== 0)
            throw new Error(
              `the wasmbase server exited with ${code} after seeding:\n${server.output()}`,
            );
          server = await launch(profileArgs);
          base = server.ready[1]!;
          setup.say(`  wasmbase: restarted with ${profileArgs.join(' ')}`);
        }
        return {
          connection: {
            url: `ws://127.0.0.1:${server.ready[2]}/v1/database/${DATABASE}/subscribe?compression=None&confirmed=true`,
            codec: 'wasmbase',
            headers: auth,
          },
          async finish() {
            try {
              const res = await http(`${base}/v1/database/${DATABASE}/sql`, {
                method: 'POST',
                headers: auth,
                body: 'SELECT * FROM accounts',
                what: 'SELECT * FROM accounts',
              });
              const [result] = (await res.json()) as { rows: [number, number | string][] }[];
              if (result === undefined) throw new Error('wasmbase: the SQL answer holds no result');
              const balances = balancesById(
                result.rows.map(([id, balance]) => [id, BigInt(balance)] as const),
                result.rows.length,
              );
              const code = await server.stop();
              if (code !== 0)
                throw new Error(`the wasmbase server exited with ${code}:\n${server.output()}`);
              return balances;
            } finally {
              await server.stop(2_000);
              remove();
            }
          },
          output: () => server.output(),
          async abort() {
            await server.stop(2_000);
            remove();
          },
        };
      } catch (err) {
        await server.stop(2_000);
        remove();
        throw err;
      }
    },
    async close() {},
  };
}
