/**
 * @module
 * Child-process entry of the lmdb-raw target: seeds a fresh lmdb-js environment, then serves
 * transfers over the comparison servers' WebSocket protocol (the same network path as node-pg).
 *
 *   node dist/bench/keynote/lmdb-raw-server.js --dir <empty dir> --accounts 100000 \
 *     --initial 1000000000 --batch 512
 */
import { parseArgs } from 'node:util';
import { openRawStore } from './lmdb-raw-store.js';
import { announceAndServeUntilSignal, startTransferServer } from './transfer-ws-server.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    accounts: { type: 'string', default: '100000' },
    initial: { type: 'string', default: '1000000000' },
    batch: { type: 'string', default: '512' },
    port: { type: 'string', default: '0' },
  },
});
if (values.dir === undefined) throw new Error('--dir is required');
const store = await openRawStore(values.dir, {
  batchMaxCalls: Number(values.batch),
  seed: { accounts: Number(values.accounts), initial: BigInt(values.initial) },
});
const server = await startTransferServer(
  (from, to, amount) => store.transfer(from, to, amount),
  Number(values.port),
);
announceAndServeUntilSignal(server, async () => {
  // Batch sizes explain throughput: at α = 0 a commit rewrites most leaf pages whatever its size.
  process.stdout.write(
    `batches ${store.batches}, transfers ${store.transfers}, ` +
      `mean batch ${(store.transfers / Math.max(1, store.batches)).toFixed(1)}\n`,
  );
  await store.close();
});
