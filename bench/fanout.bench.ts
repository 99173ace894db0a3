/**
 * @module
 * Fan-out benchmark: many WebSocket subscribers on loopback share one query
 * (`SELECT * FROM player WHERE team = 1`); a writer commits `--rate` transactions per second, each
 * inserting one matching row, so every transaction is one update message per subscriber. Reports
 * the commit→receipt latency (receipt time minus the transaction's timestamp) at p50/p99 and the
 * messages received per second. The server runs in this process; the subscribers in worker
 * threads.
 *
 *   npm run build && node dist/bench/fanout.bench.js [--subscribers 1000] [--rate 100] \
 *     [--seconds 10] [--workers 2]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { loadConfig } from '../runtime/config.js';
import { silentLogger } from '../runtime/log/index.js';
import { runServer } from '../runtime/main.js';
import {
  encodeClientMessageBsatn,
  encodeToBytes,
  WS_PROTOCOL_V1_BSATN,
  type AlgebraicType,
} from '../runtime/protocol/index.js';
import type { SubscriberReport, SubscriberTask } from './fanout/subscribers.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WORKERS = Math.max(1, Math.min(SUBSCRIBERS, Number(values.workers)));

function say(line: string): void {
  process.stdout.write(line + '\n');
}

const ADD_PLAYER: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'name', type: { tag: 'String' } },
    { name: 'team', type: { tag: 'U32' } },
    { name: 'score', type: { tag: 'I64' } },
  ],
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Subscribers {
  readonly workers: Worker[];
  readonly ready: Promise<void>[];
  readonly reports: Promise<SubscriberReport>[];
}

/** Publishes the ws fixture as `fanout`; returns the owner's token and the subscribe URL. */
async function publishFixture(url: string): Promise<{ token: string; wsUrl: string }> {
  const owner = (await (await fetch(`${url}/v1/identity`, { method: 'POST' })).json()) as {
    token: string;
  };
  const wasm = readFileSync(
    path.resolve(import.meta.dirname, '../../modules/fixtures/ws/build/ws.wasm'),
  );
  const published = await fetch(`${url}/v1/database/fanout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.token}` },
    body: wasm,
  });
  if (!published.ok)
    throw new Error(`publish failed: ${published.status} ${await published.text()}`);
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/database/fanout/subscribe?compression=None`;
  return { token: owner.token, wsUrl };
}

function startSubscribers(wsUrl: string, token: string): Subscribers {
  const out: Subscribers = { workers: [], ready: [], reports: [] };
  for (let w = 0; w < WORKERS; w++) {
    const count = Math.floor(SUBSCRIBERS / WORKERS) + (w < SUBSCRIBERS % WORKERS ? 1 : 0);
    const task: SubscriberTask = {
      url: wsUrl,
      token,
      count,
      query: 'SELECT * FROM player WHERE team = 1',
    };
    const worker = new Worker(new URL('./fanout/subscribers.js', import.meta.url), {
      workerData: task,
    });
    out.workers.push(worker);
    out.ready.push(
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', m => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      }),
    );
    out.reports.push(
      new Promise(resolve =>
        worker.on('message', m => typeof m === 'object' && resolve(m as SubscriberReport)),
      ),
    );
  }
  return out;
}

/** Calls `add_player` `RATE` times a second for `SECONDS`; resolves once the calls are sent. */
async function writeAtRate(writer: WebSocket, total: number): Promise<void> {
  let sent = 0;
  const start = performance.now();
  await new Promise<void>(resolve => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
      for (; sent < due; sent++) {
        const bytes = encodeToBytes(ADD_PLAYER, [`p${sent}`, 1, BigInt(sent)]);
        writer.send(
          encodeClientMessageBsatn({
            tag: 'CallReducer',
            reducer: 'add_player',
            args: { format: 'bsatn', bytes },
            requestId: sent,
            flags: 0,
          }),
        );
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

function printReport(
  all: readonly SubscriberReport[],
  total: number,
  acked: number,
  startWall: number,
): void {
  const latencies = new Float64Array(all.reduce((n, r) => n + r.latenciesMicros.length, 0));
  let at = 0;
  for (const r of all) {
    latencies.set(r.latenciesMicros, at);
    at += r.latenciesMicros.length;
  }
  latencies.sort();
  const messages = all.reduce((n, r) => n + r.messages, 0);
  // From the first call sent to the last update received.
  const elapsed = (Math.max(...all.map(r => r.lastAt)) - startWall) / 1000;
  say(`  writer: ${total} transactions sent, ${acked} acknowledged`);
  say(
    `  subscribers: ${messages} updates received of ${total * SUBSCRIBERS} expected ` +
      `(${all.reduce((n, r) => n + r.closed, 0)} connections closed early)`,
  );
  say('');
  say(
    `  delivered in ${elapsed.toFixed(1)} s from the first call sent to the last update received`,
  );
  say('');
  say('| subscribers | tx/s | updates/s received | commit→receipt p50 | p99 |');
  say('|---:|---:|---:|---:|---:|');
  say(
    `| ${SUBSCRIBERS} | ${RATE} | ${Math.round(messages / elapsed).toLocaleString('en-US')} | ` +
      `${(percentile(latencies, 50) / 1000).toFixed(1)} ms | ` +
      `${(percentile(latencies, 99) / 1000).toFixed(1)} ms |`,
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wasmbase-fanout-'));
  const config = loadConfig(
    {},
    {},
    {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      wsMaxBackpressureBytes: 64 * 1024 * 1024,
    },
  );
  const server = await runServer(config, silentLogger);
  try {
    const { token, wsUrl } = await publishFixture(server.url);
    say(
      `fanout: ${SUBSCRIBERS} subscribers in ${WORKERS} worker threads, ` +
        `${RATE} tx/s for ${SECONDS} s`,
    );
    const subscribers = startSubscribers(wsUrl, token);
    const t0 = performance.now();
    await Promise.all(subscribers.ready);
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    say(`  ${SUBSCRIBERS} subscribers connected and subscribed in ${took} s`);

    const writer = new WebSocket(wsUrl, [WS_PROTOCOL_V1_BSATN], {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((resolve, reject) => {
      writer.once('message', () => resolve());
      writer.once('error', reject);
    });
    let acked = 0;
    writer.on('message', () => acked++);
    const startWall = Date.now();
    const total = RATE * SECONDS;
    await writeAtRate(writer, total);
    for (let i = 0; i < 200 && acked < total; i++) await new Promise(r => setTimeout(r, 50));
    // Let the last updates arrive.
    await new Promise(r => setTimeout(r, 1000));
    for (const w of subscribers.workers) w.postMessage('report');
    const all = await Promise.all(subscribers.reports);
    writer.close();
    for (const w of subscribers.workers) await w.terminate();
    printReport(all, total, acked, startWall);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
