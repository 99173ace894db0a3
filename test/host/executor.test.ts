import { describe, expect, it } from 'vitest';
import { DatabaseExecutor } from '../../runtime/host/executor.js';
import { OutcomeWaiters } from '../../runtime/host/outcome-waiters.js';
import type { CallOutcome, ExecutedCall, PublishedBatch } from '../../runtime/host/engine-types.js';
import { unpackCalls, type BatchResult, type BatchTask } from '../../runtime/host/batch-types.js';
import type { ValidatedModule } from '../../runtime/host/module-validate.js';
import type { BatchRunner } from '../../runtime/host/worker-pool.js';
import { silentLogger } from '../../runtime/log/index.js';
import { Identity } from '../../runtime/protocol/index.js';
import type { DatabaseStore, WriteSet } from '../../runtime/store/index.js';

/** A store whose commits become durable only when the test says so. */
function fakeStore() {
  const commits: { ws: WriteSet; makeDurable: () => void }[] = [];
  const store = {
    commit(ws: WriteSet) {
      let makeDurable!: () => void;
      const durable = new Promise<void>(resolve => (makeDurable = resolve));
      commits.push({ ws, makeDurable });
      return { durable };
    },
  } as unknown as DatabaseStore;
  return { store, commits };
}

/** A pool that answers every call as committed and records the batches it was given. */
function fakePool() {
  const batches: number[][] = [];
  const pool: BatchRunner = {
    run: async (task: BatchTask): Promise<BatchResult> => {
      const calls = unpackCalls(task.calls);
      batches.push(calls.map(c => c.reducerId));
      return {
        writeSet: { ops: new Uint8Array(0), opCount: 0 },
        results: calls.map(() => ({
          status: 'committed' as const,
          changesAt: [0, 4] as const,
          durationMicros: 1,
          logs: [],
        })),
        changes: new Uint8Array(4),
      };
    },
  };
  return { pool, batches };
}

function executor(store: DatabaseStore, pool: BatchRunner, batchMaxCalls = 2) {
  const ex = new DatabaseExecutor({
    pool,
    store,
    module: {
      hash: 'h',
      bytes: new Uint8Array(0),
      schemaJson: '{}',
      memoryMinPages: 1,
    } as unknown as ValidatedModule,
    databasePath: '/nowhere',
    databaseIdentity: Identity.ZERO,
    reducerTimeoutMs: 1000,
    batchMaxCalls,
    memoryMaxPages: 16,
    logger: silentLogger,
    onPublished: batch => {
      published.push(batch);
      waiters.published(batch);
    },
  });
  const published: PublishedBatch[] = [];
  const waiters = new OutcomeWaiters();
  /** Submits and waits for the outcome, as `DatabaseHandle.call` does. */
  const run = (c: ExecutedCall): Promise<CallOutcome> => {
    const outcome = waiters.wait(c.id);
    ex.submit(c);
    return outcome;
  };
  return { ex, run, published };
}

const call = (id: number): ExecutedCall => ({
  id: id + 1,
  reducer: `r${id}`,
  reducerId: id,
  args: new Uint8Array(0),
  sender: Identity.ZERO,
  connectionId: undefined,
  timestamp: 0n,
});
const tick = () => new Promise(resolve => setTimeout(resolve, 10));

describe('executor', () => {
  it('acknowledges nothing before the batch is durable, and pipelines the next batch meanwhile', async () => {
    const { store, commits } = fakeStore();
    const { pool, batches } = fakePool();
    const { run, published } = executor(store, pool, 2);
    const acked: number[] = [];
    const calls = [1, 2, 3, 4].map(id =>
      run(call(id)).then(o => (o.status === 'committed' ? acked.push(id) : undefined)),
    );
    await tick();
    // The first call starts a batch at once; later ones are gathered while it runs. Every
    // batch was committed (pipelined), none is durable yet, so nobody was answered.
    expect(batches.flat()).toEqual([1, 2, 3, 4]);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(commits).toHaveLength(batches.length);
    expect(acked).toEqual([]);
    // Each call was published exactly once, with its id, at its batch's commit.
    expect(published.flatMap(b => b.calls.map(c => c.call.id))).toEqual([2, 3, 4, 5]);
    commits[0]!.makeDurable();
    await tick();
    expect(acked).toEqual(batches[0]);
    for (const c of commits.slice(1)) c.makeDurable();
    await Promise.all(calls);
    expect(acked).toEqual([1, 2, 3, 4]);
  });

  it('runs calls in arrival order, one batch at a time', async () => {
    const { store, commits } = fakeStore();
    const { pool, batches } = fakePool();
    const { run } = executor(store, pool, 3);
    const all = Array.from({ length: 7 }, (_, i) => run(call(i)));
    await tick();
    for (const c of commits) c.makeDurable();
    await tick();
    for (const c of commits) c.makeDurable();
    await Promise.all(all);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batches.every(b => b.length <= 3)).toBe(true);
  });

  it('refuses new calls once closed', async () => {
    const { store } = fakeStore();
    const { pool } = fakePool();
    const { ex } = executor(store, pool);
    await ex.close();
    expect(() => ex.submit(call(1))).toThrow(/shutting down/);
  });
});
