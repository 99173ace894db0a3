/**
 * @module
 * Big results never stall the server (issue 12, defect 2): fills a table with about
 * `--mib` MiB of rows, then runs `SELECT *` over it — once over HTTP `/sql`, once as a v2
 * subscription — while another client pings `GET /v1/ping` every 5 ms. Reports the ping round
 * trip p50/p99/max during each big request, with an idle baseline measured the same way first,
 * and each request's time and size. The byte and row limits are raised so the result is
 * allowed. The server runs on this thread; every client runs in a worker thread of its own.
 *
 *   npm run bench:big-result [-- --mib 100 --row-bytes 1000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../runtime/config.js';
import { silentLogger } from '../runtime/log/index.js';
import { runServer } from '../runtime/main.js';
import type { ClientReport, ClientTask } from './big-result/clients.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '100' },
    'row-bytes': { type: 'string', default: '1000' },
    'idle-ms': { type: 'string', default: '1000' },
  },
});
const MiB = 1024 * 1024;
const TARGET_BYTES = Number(values.mib) * MiB;
const ROW_BYTES = Number(values['row-bytes']);
const ROWS = Math.ceil(TARGET_BYTES / ROW_BYTES);
const IDLE_MS = Number(values['idle-ms']);
const INSERT_ROWS = 2000;

const say = (line: string): void => void process.stdout.write(line + '\n');

function client(task: ClientTask): { worker: Worker; report: Promise<ClientReport> } {
  const worker = new Worker(new URL('./big-result/clients.js', import.meta.url), {
    workerData: task,
  });
  const report = new Promise<ClientReport>((resolve, reject) => {
    worker.on('message', (m: ClientReport & { ready?: boolean }) => {
      if (m.ready !== true) resolve(m);
    });
    worker.once('error', reject);
  });
  return { worker, report };
}

function stats(samples: readonly number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const f = (ms: number) => ms.toFixed(1);
  return `n=${s.length} p50 ${f(at(0.5))} ms, p99 ${f(at(0.99))} ms, max ${f(s.at(-1) ?? NaN)} ms`;
}

async function post(url: string, token: string, body: string | Uint8Array): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body,
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** Publishes the ws fixture as `big` and fills its `team` table with ROWS rows. */
async function fill(url: string): Promise<string> {
  const owner = (await (await fetch(`${url}/v1/identity`, { method: 'POST' })).json()) as {
    token: string;
  };
  const wasm = readFileSync(
    path.resolve(import.meta.dirname, '../../modules/fixtures/ws/build/ws.wasm'),
  );
  await post(`${url}/v1/database/big`, owner.token, wasm);
  const pad = 'x'.repeat(Math.max(1, ROW_BYTES - 8));
  for (let first = 0; first < ROWS; first += INSERT_ROWS) {
    const rows: string[] = [];
    for (let id = first; id < Math.min(ROWS, first + INSERT_ROWS); id++) {
      rows.push(`(${id}, '${pad}')`);
    }
    await post(`${url}/v1/database/big/sql`, owner.token, `INSERT INTO team VALUES ${rows.join()}`);
  }
  return owner.token;
}

/** Pings through `during()` (after an idle baseline when `idle`), returns the round trips. */
async function pingsDuring(
  url: string,
  during: () => Promise<ClientReport>,
): Promise<{ pings: readonly number[]; report: ClientReport }> {
  const pinger = client({ role: 'ping', url, intervalMs: 5 });
  await new Promise<void>(resolve =>
    pinger.worker.once('message', (m: { ready?: boolean }) => m.ready && resolve()),
  );
  const report = await during();
  pinger.worker.postMessage('stop');
  const { pings } = await pinger.report;
  await pinger.worker.terminate();
  return { pings: pings ?? [], report };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wasmbase-big-result-'));
  const limit = 2048 * MiB;
  const config = loadConfig(
    {},
    {},
    {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      maxSqlBytes: 16 * MiB,
      maxBodyBytes: 16 * MiB,
      sqlRowLimit: 100_000_000,
      sqlMaxResultBytes: limit,
      wsMaxSubscribeBytes: limit,
      wsMaxQueryBytes: limit,
      wsMaxBackpressureBytes: 1024 * MiB,
      wsMaxMessageBytes: 16 * MiB,
    },
  );
  const server = await runServer(config, silentLogger);
  try {
    const t0 = performance.now();
    const token = await fill(server.url);
    say(
      `big-result: ${ROWS} rows of ~${ROW_BYTES} bytes (~${(ROWS * ROW_BYTES) / MiB} MiB) ` +
        `filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const idle = await pingsDuring(server.url, async () => {
      await new Promise(resolve => setTimeout(resolve, IDLE_MS));
      return {};
    });
    say(`idle             ping ${stats(idle.pings)}`);
    const sqlUrl = `${server.url}/v1/database/big/sql`;
    const sql = await pingsDuring(
      server.url,
      () => client({ role: 'sql', url: sqlUrl, token, sql: 'SELECT * FROM team' }).report,
    );
    say(
      `/sql SELECT *    ping ${stats(sql.pings)}; query ${sql.report.status} ` +
        `${((sql.report.bytes ?? 0) / MiB).toFixed(1)} MiB in ${sql.report.ms?.toFixed(0)} ms`,
    );
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/database/big/subscribe?compression=None`;
    const sub = await pingsDuring(
      server.url,
      () => client({ role: 'subscribe', wsUrl, token, sql: 'SELECT * FROM team' }).report,
    );
    say(
      `v2 subscribe     ping ${stats(sub.pings)}; reply ` +
        `${((sub.report.bytes ?? 0) / MiB).toFixed(1)} MiB in ${sub.report.ms?.toFixed(0)} ms`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
