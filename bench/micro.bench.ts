/**
 * @module
 * Micro benchmarks (tinybench) of the hot pieces: BSATN codec, order-preserving keys, JSON
 * argument conversion, module validation, one transfer on the store overlay, the WebSocket
 * message codec, subscription diffs, and the abuse limits' check of one reducer call.
 *
 *   npm run build && node dist/bench/micro.bench.js
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import { AbuseLimits, abuseLimitSettings } from '../runtime/api/index.js';
import { DEFAULT_CONFIG } from '../runtime/config.js';
import { validateModule } from '../runtime/host/index.js';
import {
  ConnectionId,
  decodeClientMessageBsatn,
  decodeFromBytes,
  encodeClientMessageBsatn,
  encodeServerMessageBsatn,
  encodeToBytes,
  Identity,
  reducerArgsFromJson,
  type AlgebraicType,
  type ServerMessage,
} from '../runtime/protocol/index.js';
import { frameServerPayload } from '../runtime/ws/frame-compression.js';
import { openDatabaseStore } from '../runtime/store/index.js';
import { compileSubscription, SubscriptionRegistry } from '../runtime/subscribe/index.js';
import { keyFromBsatn } from '../runtime/store/key-codec.js';

const row: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'id', type: { tag: 'U64' } },
    { name: 'name', type: { tag: 'String' } },
    { name: 'score', type: { tag: 'F64' } },
    { name: 'tags', type: { tag: 'Array', elem: { tag: 'U32' } } },
  ],
};
const value = [42n, 'a name of moderate length', 3.5, [1, 2, 3, 4]];
const bytes = encodeToBytes(row, value);
const bankBytes = new Uint8Array(
  readFileSync(path.resolve(import.meta.dirname, '../../modules/bank/build/bank.wasm')),
);
const bank = validateModule(bankBytes, 1 << 24);
const transfer = bank.schema.reducerByName('transfer')!;

const dir = mkdtempSync(path.join(tmpdir(), 'wasmbase-micro-'));
const store = openDatabaseStore(dir, bank.schema);
const accountType: AlgebraicType = {
  tag: 'Product',
  elements: bank.schema.tables[0]!.rowType.elements,
};
{
  const tx = store.beginBatch();
  tx.beginCall();
  for (let i = 0; i < 100_000; i++) tx.insert(0, encodeToBytes(accountType, [i, 1_000_000n]));
  tx.commitCall();
  await store.commit(tx.finish()).durable;
}
let batch = store.beginBatch();
let inBatch = 0;
const key = new Uint8Array(4);
const keyView = new DataView(key.buffer);

// Subscriptions: 1,000 queries each pinned to one account; a transfer changes two of them.
const registry = new SubscriptionRegistry<number>(bank.schema);
for (let i = 0; i < 1000; i++)
  registry.add(
    compileSubscription(bank.schema, `SELECT * FROM accounts WHERE id = ${i}`, { isOwner: true }),
    i,
  );
const before = [
  encodeToBytes(accountType, [7, 1_000_000n]),
  encodeToBytes(accountType, [9, 1_000_000n]),
];
const after = [
  encodeToBytes(accountType, [7, 999_999n]),
  encodeToBytes(accountType, [9, 1_000_001n]),
];
const transferChanges = [{ tableId: 0, inserts: after, deletes: before }];
const snapshot = store.read();

const callBytes = encodeClientMessageBsatn({
  tag: 'CallReducer',
  reducer: 'transfer',
  args: {
    format: 'bsatn',
    bytes: encodeToBytes({ tag: 'Product', elements: transfer.params.elements }, [1, 2, 1n]),
  },
  requestId: 7,
  flags: 0,
});
const update = (): ServerMessage => ({
  tag: 'TransactionUpdate',
  status: {
    tag: 'Committed',
    update: {
      tables: [
        {
          tableId: 0,
          tableName: 'accounts',
          numRows: 4n,
          updates: [{ deletes: before, inserts: after }],
        },
      ],
    },
  },
  timestamp: 1_700_000_000_000_000n,
  callerIdentity: Identity.ZERO,
  callerConnectionId: ConnectionId.ZERO,
  reducerCall: {
    reducerName: 'transfer',
    reducerId: transfer.id,
    args: { format: 'bsatn', bytes: new Uint8Array(16) },
    requestId: 7,
  },
  energyQuantaUsed: 0n,
  totalHostExecutionDurationMicros: 12n,
});

// Abuse limits at their defaults, loopback counted: one caller's gate, and a gate per call over
// 100,000 distinct identities and addresses (the table at its key cap, evicting as it goes).
const limits = new AbuseLimits({
  ...abuseLimitSettings(DEFAULT_CONFIG),
  callsPerSecondPerIdentity: 1e9,
  callsPerSecondPerIp: 1e9,
  exemptLoopback: false,
});
const oneGate = limits.callGate({ identity: Identity.random(), address: '198.51.100.1' });
const manyGates = Array.from({ length: 100_000 }, (_, i) =>
  limits.callGate({
    identity: Identity.random(),
    address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
  }),
);
let gateAt = 0;

const bench = new Bench({ time: 500 });
bench
  .add('bsatn encode row (u64, string, f64, u32[4])', () => encodeToBytes(row, value))
  .add('bsatn decode row', () => decodeFromBytes(row, bytes))
  .add('order-preserving key of a string', () =>
    keyFromBsatn([{ tag: 'String' }], bytes.subarray(8, 8 + 4 + 25)),
  )
  .add('JSON args → BSATN (transfer)', () =>
    reducerArgsFromJson('transfer', transfer.params, [1, 2, 1]),
  )
  .add('validate the bank module (20 KB)', () => validateModule(bankBytes, 1 << 24))
  .add('overlay transfer: 2 finds + 2 updates (batches of 512, not committed)', () => {
    if (inBatch++ === 512) {
      batch.abandon();
      batch = store.beginBatch();
      inBatch = 0;
    }
    batch.beginCall();
    keyView.setUint32(0, (Math.random() * 100_000) | 0, true);
    const a = batch.findUnique(0, key)!.slice();
    keyView.setUint32(0, (Math.random() * 100_000) | 0, true);
    const b = batch.findUnique(0, key)!.slice();
    a[4]! ^= 1;
    b[4]! ^= 1;
    batch.update(0, a);
    batch.update(0, b);
    batch.commitCall();
  })
  .add('WebSocket: decode a CallReducer (bsatn)', () => decodeClientMessageBsatn(callBytes))
  .add('WebSocket: encode + frame a TransactionUpdate with 4 rows (bsatn)', () =>
    frameServerPayload(encodeServerMessageBsatn(update()), 'None'),
  )
  .add('subscription diff: a transfer against 1,000 queries pinned to accounts', () =>
    registry.evaluateBatch([transferChanges], snapshot),
  )
  .add('abuse limits: admit a call (identity + address buckets, one caller)', () =>
    oneGate.admitCall(),
  )
  .add('abuse limits: admit a call, 100,000 callers in turn (tables at their key cap)', () => {
    manyGates[gateAt]!.admitCall();
    gateAt = (gateAt + 1) % manyGates.length;
  });

await bench.run();
process.stdout.write('| benchmark | ops/s |\n| --- | ---: |\n');
for (const task of bench.tasks) {
  const r = task.result as { throughput?: { mean: number } } | undefined;
  process.stdout.write(
    `| ${task.name} | ${Math.round(r?.throughput?.mean ?? 0).toLocaleString('en-US')} |\n`,
  );
}
batch.abandon();
snapshot.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
