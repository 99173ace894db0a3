/**
 * @module
 * One load-generator thread: opens its share of the client connections (load-client.ts), and
 * once told to start keeps each client's pipeline full until the end of the timed window, then
 * waits (bounded by the op timeout, which a sweeper enforces) for the calls still in flight and
 * sends its totals back (load-tally.ts). Runs in a worker thread of the harness, never in a
 * server's process. The transport is chosen by the connection spec: the `ws` client with a
 * protocol codec, or the official SDK 2.x.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simpleCodec, type ClientCodec, type ConnectionSpec } from './client-codec.js';
import { LoadClient, type LoadContext } from './load-client.js';
import { Tally } from './load-tally.js';
import type { TransportFactory } from './load-transport.js';
import type { FromThread, LoadThreadConfig, ToThread } from './load-types.js';
import { wsTransport } from './load-ws-transport.js';

const PROGRESS_EVERY_MS = 250;
const SWEEP_EVERY_MS = 250;

const config = workerData as LoadThreadConfig;
const port = parentPort!;
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const now = () => performance.timeOrigin + performance.now();

async function wsCodec(name: Exclude<ConnectionSpec, { kind: 'sdk' }>['codec']) {
  const codecs: Record<typeof name, () => Promise<ClientCodec>> = {
    simple: async () => simpleCodec,
    'wasmbase-v1': async () => (await import('./wasmbase-v1-codec.js')).wasmbaseV1Codec,
    'wasmbase-v2': async () => (await import('./wasmbase-v2-codec.js')).wasmbaseV2Codec,
    'wasmbase-v3': async () => (await import('./wasmbase-v2-codec.js')).wasmbaseV3Codec,
  };
  return codecs[name]();
}

/** Loaded lazily: the comparison targets' threads never load the project's codecs or the SDK. */
async function transportFor(spec: ConnectionSpec): Promise<TransportFactory> {
  if (spec.kind === 'ws')
    return wsTransport(spec, await wsCodec(spec.codec), config.connectTimeoutMs);
  const { sdkTransport } = await import('./load-sdk-transport.js');
  return sdkTransport(spec, config.connectTimeoutMs);
}

let issuing = false;
let clients: LoadClient[] = [];
let settle: (() => void) | undefined;
const tally = new Tally(config);
const inflight = () => clients.reduce((n, c) => n + c.outstanding.size, 0);

function settleCheck(): void {
  if (settle !== undefined && !issuing && clients.every(c => c.outstanding.size === 0)) settle();
}

async function main(): Promise<void> {
  const ctx: LoadContext = {
    config,
    tally,
    open: await transportFor(config.connection),
    issuing: () => issuing,
    settled: settleCheck,
  };
  clients = config.clientIndexes.map(i => new LoadClient(i, ctx));
  await Promise.all(clients.map(c => c.ready));
  post({ type: 'ready' });
  const start = await new Promise<ToThread>(resolve => port.once('message', resolve));
  const windowEnd = tally.start(start.t0);
  // Start together (t0 is a moment shortly in the future agreed by every thread).
  await new Promise(r => setTimeout(r, Math.max(0, start.t0 - now())));
  issuing = true;
  for (const c of clients) c.pump();
  const report = () =>
    post({ type: 'progress', ok: tally.ok, failed: tally.failed, inflight: inflight() });
  const progress = setInterval(report, PROGRESS_EVERY_MS);
  const sweeper = setInterval(() => {
    const at = now();
    for (const c of clients) c.expire(at);
    settleCheck();
  }, SWEEP_EVERY_MS);
  await new Promise(r => setTimeout(r, Math.max(0, windowEnd - now())));
  issuing = false;
  // Drain: every outstanding call is answered or times out (the sweeper bounds this wait).
  await new Promise<void>(resolve => {
    settle = resolve;
    settleCheck();
  });
  clearInterval(progress);
  clearInterval(sweeper);
  for (const c of clients) c.close();
  const { result, transfer } = tally.result(inflight());
  post({ type: 'done', result }, transfer);
}

main().catch((err: unknown) => {
  post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
});
