/**
 * @module
 * The lmdb-raw target's storage: the physical ceiling of wasmbase's design. Accounts are stored
 * the way wasmbase stores the bank module's rows (a short order-preserving key per id, the row's
 * 12 BSATN bytes: u32 id · i64 balance), in one lmdb-js environment opened with the same options
 * (binary, overlappingSync on by default). A transfer is 2 gets + 2 puts; transfers are applied in
 * batches of up to `batchMaxCalls` per synchronous write transaction, and acknowledged only once
 * `env.flushed` says the batch is on disk — the same durability and batch size as wasmbase.
 */
import { open, type RootDatabase } from 'lmdb';
import { balancesById } from './target.js';

const ROW_BYTES = 12;

export interface RawStore {
  /** Queues a transfer; resolves with null once its batch is durable, else why it failed. */
  transfer(from: number, to: number, amount: bigint): Promise<string | null>;
  /** Every balance by id (reads the committed state). */
  balances(): BigInt64Array;
  /** Write transactions committed so far. */
  readonly batches: number;
  /** Transfers those transactions held. */
  readonly transfers: number;
  close(): Promise<void>;
}

function keyOf(id: number): Buffer {
  // Table prefix, 2-byte table id, then the big-endian id: ascending ids are ascending keys.
  const k = Buffer.alloc(7);
  k[0] = 1;
  k.writeUInt16BE(1, 1);
  k.writeUInt32BE(id, 3);
  return k;
}

function rowOf(id: number, balance: bigint): Buffer {
  const row = Buffer.alloc(ROW_BYTES);
  row.writeUInt32LE(id, 0);
  row.writeBigInt64LE(balance, 4);
  return row;
}

interface Pending {
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
  readonly resolve: (error: string | null) => void;
}

type Env = RootDatabase<Buffer, Buffer>;

/** Replaces every account with `accounts` accounts holding `initial` each, durably. */
async function seed(env: Env, accounts: number, initial: bigint): Promise<void> {
  env.transactionSync(() => {
    for (const { key } of env.getRange({})) env.removeSync(key);
    for (let id = 0; id < accounts; id++) env.putSync(keyOf(id), rowOf(id, initial));
  });
  await env.flushed;
}

/** One transfer inside the batch's write transaction: null, or why it is refused. */
function applyTransfer(env: Env, p: Pending): string | null {
  if (p.from === p.to) return 'same_account';
  if (p.amount <= 0n) return 'non_positive_amount';
  const ka = keyOf(p.from);
  const kb = keyOf(p.to);
  const a = env.getBinary(ka);
  const b = env.getBinary(kb);
  if (a === undefined || b === undefined) return 'account_missing';
  // getBinary's buffer is reused by the next read: copy before the second one is used.
  const ra = Buffer.from(a);
  const rb = Buffer.from(b);
  const balanceA = ra.readBigInt64LE(4);
  if (balanceA < p.amount) return 'insufficient_funds';
  ra.writeBigInt64LE(balanceA - p.amount, 4);
  rb.writeBigInt64LE(rb.readBigInt64LE(4) + p.amount, 4);
  env.putSync(ka, ra);
  env.putSync(kb, rb);
  return null;
}

/** Opens (creating) the environment at `path` and, when `seed` is given, replaces every account. */
export async function openRawStore(
  path: string,
  options: { batchMaxCalls: number; seed?: { accounts: number; initial: bigint } },
): Promise<RawStore> {
  const env: Env = open<Buffer, Buffer>({
    path,
    keyEncoding: 'binary',
    encoding: 'binary',
    pageSize: 4096,
    mapSize: 64 * 1024 * 1024,
  });
  if (options.seed !== undefined) await seed(env, options.seed.accounts, options.seed.initial);
  const queue: Pending[] = [];
  let scheduled = false;
  let batches = 0;
  let transfers = 0;

  // Group commit: whatever queued up while the previous batch ran forms the next one. The next
  // batch does not wait for the previous flush (overlappingSync), as wasmbase overlaps them too.
  const runBatch = () => {
    scheduled = false;
    const batch = queue.splice(0, options.batchMaxCalls);
    if (queue.length > 0) schedule();
    const outcomes: (string | null)[] = new Array<string | null>(batch.length);
    try {
      env.transactionSync(() => {
        for (let i = 0; i < batch.length; i++) outcomes[i] = applyTransfer(env, batch[i]!);
      });
    } catch (err) {
      const why = `commit failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const p of batch) p.resolve(why);
      return;
    }
    batches++;
    transfers += batch.length;
    env.flushed.then(
      () => batch.forEach((p, i) => p.resolve(outcomes[i]!)),
      (err: unknown) =>
        batch.forEach(p =>
          p.resolve(`flush failed: ${err instanceof Error ? err.message : String(err)}`),
        ),
    );
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(runBatch);
  };

  return {
    transfer(from, to, amount) {
      return new Promise(resolve => {
        queue.push({ from, to, amount, resolve });
        schedule();
      });
    },
    balances() {
      const rows: [number, bigint][] = [];
      for (const { value } of env.getRange({}))
        rows.push([value.readUInt32LE(0), value.readBigInt64LE(4)]);
      return balancesById(rows, rows.length);
    },
    get batches() {
      return batches;
    },
    get transfers() {
      return transfers;
    },
    async close() {
      while (queue.length > 0 || scheduled) await new Promise(r => setImmediate(r));
      await env.flushed;
      await env.close();
    },
  };
}
