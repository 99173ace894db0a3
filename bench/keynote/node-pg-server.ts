/**
 * @module
 * Child-process entry of the node-pg target: an idiomatic Node + PostgreSQL server for the
 * keynote transfer. A `pg.Pool`; each transfer is one transaction that locks both rows with
 * `SELECT … ORDER BY id FOR UPDATE` (a fixed lock order: transfers cannot deadlock each other),
 * checks the balance, runs two UPDATEs and commits. Serialization failures and deadlocks are
 * retried. The server's `synchronous_commit=on` makes every COMMIT durable before it returns.
 *
 *   node dist/bench/keynote/node-pg-server.js --pool 16 \
 *     --pg postgres://bench@127.0.0.1:5432/postgres
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { announceAndServeUntilSignal, startTransferServer } from './transfer-ws-server.js';

/** SQLSTATEs worth another attempt: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 10;

const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    pool: { type: 'string', default: '16' },
    port: { type: 'string', default: '0' },
  },
});
if (values.pg === undefined) throw new Error('--pg <connection string> is required');

const pool = new pg.Pool({ connectionString: values.pg, max: Number(values.pool) });
// An idle client that errors (e.g. the server went away) must not crash the process.
pool.on('error', err => process.stderr.write(`pg pool: ${err.message}\n`));

function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

async function transfer(from: number, to: number, amount: bigint): Promise<string | null> {
  if (from === to) return 'same_account';
  if (amount <= 0n) return 'non_positive_amount';
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query('BEGIN');
        const locked = await client.query<{ id: number; balance: string }>({
          name: 'lock-pair',
          text: 'SELECT id, balance FROM accounts WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
          values: [[from, to]],
        });
        const a = locked.rows.find(r => r.id === from);
        const b = locked.rows.find(r => r.id === to);
        if (a === undefined || b === undefined) {
          await client.query('ROLLBACK');
          return 'account_missing';
        }
        if (BigInt(a.balance) < amount) {
          await client.query('ROLLBACK');
          return 'insufficient_funds';
        }
        await client.query({
          name: 'debit',
          text: 'UPDATE accounts SET balance = balance - $2 WHERE id = $1',
          values: [from, amount.toString()],
        });
        await client.query({
          name: 'credit',
          text: 'UPDATE accounts SET balance = balance + $2 WHERE id = $1',
          values: [to, amount.toString()],
        });
        await client.query('COMMIT');
        return null;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(err) ?? '')) continue;
        // Not a conflict: the connection itself may be unusable, so the pool must not reuse it.
        broken = err instanceof Error ? err : new Error(String(err));
        throw err;
      }
    }
  } finally {
    client.release(broken);
  }
}

const server = await startTransferServer(transfer, Number(values.port));
announceAndServeUntilSignal(server, () => pool.end());
