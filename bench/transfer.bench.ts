/**
 * @module
 * In-process transfer benchmark (the keynote workload without the network): the bank module
 * with 100k accounts, uniform random pairs, `transfer(from, to, 1)` through the real engine
 * (worker threads, batches, durable commits), next to a raw lmdb-js loop doing the same 2 reads
 * and 2 writes per transfer in one synchronous write transaction per batch, acknowledged after
 * the same flush. Both run in this process, one after the other, in the same run.
 *
 *   npm run build && node dist/bench/transfer.bench.js [--accounts 100000] \
 *     [--transfers 200000] [--batch 512]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { loadConfig } from '../runtime/config.js';
import { createEngine } from '../runtime/host/index.js';
import { silentLogger } from '../runtime/log/index.js';
import { encodeToBytes, Identity, type AlgebraicType } from '../runtime/protocol/index.js';
import { mulberry32 } from './keynote/zipf.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    transfers: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '512' },
    inflight: { type: 'string', default: '4096' },
    only: { type: 'string' },
  },
});
const ACCOUNTS = Number(values.accounts);
const TRANSFERS = Number(values.transfers);
const BATCH = Number(values.batch);
const INFLIGHT = Number(values.inflight);

function say(line: string): void {
  process.stdout.write(line + '\n');
}

/** Deterministic uniform pairs (mulberry32), the same for both targets. */
function pairs(n: number, accounts: number): Uint32Array {
  const rand = mulberry32(0x12345678);
  const out = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rand() * accounts);
    let b = Math.floor(rand() * accounts);
    while (b === a) b = Math.floor(rand() * accounts);
    out[i * 2] = a;
    out[i * 2 + 1] = b;
  }
  return out;
}

async function wasmbase(work: Uint32Array): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wasmbase-bench-'));
  const config = loadConfig(
    {},
    {},
    { dataDir, batchMaxCalls: BATCH, workers: 2, logLevel: 'error', reducerTimeoutMs: 120_000 },
  );
  const engine = await createEngine({ config, logger: silentLogger });
  try {
    const owner = Identity.random();
    const bytes = new Uint8Array(
      readFileSync(path.resolve(import.meta.dirname, '../../modules/bank/build/bank.wasm')),
    );
    await engine.publish({ moduleBytes: bytes, owner, nameOrIdentity: 'bank', clear: false });
    const db = engine.resolve('bank')!;
    const seedType: AlgebraicType = {
      tag: 'Product',
      elements: [
        { name: 'n', type: { tag: 'U32' } },
        { name: 'i', type: { tag: 'I64' } },
      ],
    };
    const t0 = performance.now();
    const seeded = await db.call({
      reducer: 'seed',
      args: encodeToBytes(seedType, [ACCOUNTS, 1_000_000_000n]),
      sender: owner,
      connectionId: undefined,
    });
    if (seeded.status !== 'committed') throw seeded.error;
    say(
      `  wasmbase: seeded ${ACCOUNTS} accounts in ` +
        `${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
    const argType: AlgebraicType = {
      tag: 'Product',
      elements: [
        { name: 'from', type: { tag: 'U32' } },
        { name: 'to', type: { tag: 'U32' } },
        { name: 'amount', type: { tag: 'I64' } },
      ],
    };
    const n = work.length / 2;
    const args = Array.from({ length: n }, (_, i) =>
      encodeToBytes(argType, [work[i * 2]!, work[i * 2 + 1]!, 1n]),
    );
    let next = 0;
    let failed = 0;
    const start = performance.now();
    const lane = async () => {
      while (next < n) {
        const i = next++;
        const o = await db.call({
          reducer: 'transfer',
          args: args[i]!,
          sender: owner,
          connectionId: undefined,
        });
        if (o.status !== 'committed') failed++;
      }
    };
    await Promise.all(Array.from({ length: INFLIGHT }, lane));
    const seconds = (performance.now() - start) / 1000;
    if (failed > 0) say(`  wasmbase: ${failed} transfers failed`);
    return n / seconds;
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function lmdbRaw(work: Uint32Array): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmbase-bench-raw-'));
  const env = open<Uint8Array, Uint8Array>({
    path: dir,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  try {
    const key = (id: number) => {
      const k = Buffer.alloc(7);
      k[0] = 1;
      k.writeUInt32BE(id, 3);
      return k;
    };
    env.transactionSync(() => {
      for (let id = 0; id < ACCOUNTS; id++) {
        const row = Buffer.alloc(12);
        row.writeUInt32LE(id, 0);
        row.writeBigInt64LE(1_000_000_000n, 4);
        env.putSync(key(id), row);
      }
    });
    await env.flushed;
    const n = work.length / 2;
    const start = performance.now();
    for (let b = 0; b < n; b += BATCH) {
      env.transactionSync(() => {
        for (let i = b; i < Math.min(n, b + BATCH); i++) {
          const ka = key(work[i * 2]!);
          const kb = key(work[i * 2 + 1]!);
          const ra = Buffer.from(env.getBinary(ka)!);
          const rb = Buffer.from(env.getBinary(kb)!);
          const ba = ra.readBigInt64LE(4);
          if (ba < 1n) continue;
          ra.writeBigInt64LE(ba - 1n, 4);
          rb.writeBigInt64LE(rb.readBigInt64LE(4) + 1n, 4);
          env.putSync(ka, ra);
          env.putSync(kb, rb);
        }
      });
      await env.flushed;
    }
    return n / ((performance.now() - start) / 1000);
  } finally {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

say(
  `transfer benchmark: ${ACCOUNTS} accounts, ${TRANSFERS} uniform transfers, ` +
    `batch ${BATCH}, ${INFLIGHT} calls in flight`,
);
const work = pairs(TRANSFERS, ACCOUNTS);
const raw = values.only === 'wasmbase' ? NaN : await lmdbRaw(work);
say(`  lmdb-raw: ${Math.round(raw)} transfers/s`);
const wb = values.only === 'lmdb-raw' ? NaN : await wasmbase(work);
say(`  wasmbase: ${Math.round(wb)} transfers/s`);
say('');
say('| target | transfers/s | vs lmdb-raw |');
say('| --- | ---: | ---: |');
say(`| lmdb-raw (2 gets + 2 puts, 1 txn + flush per ${BATCH}) | ${Math.round(raw)} | 100% |`);
say(
  `| wasmbase in-process (bank module, workers, durable acks) | ${Math.round(wb)} | ` +
    `${((wb / raw) * 100).toFixed(0)}% |`,
);
