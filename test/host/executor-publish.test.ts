/**
 * The executor as the one publisher of call outcomes: every submitted call appears in exactly
 * one `PublishedBatch`, with its id — committed (published right after its commit, with the
 * store's durability), failed by the module (REDUCER_FAILED/TRAPPED/OUT_OF_MEMORY), timed out
 * (REDUCER_TIMEOUT, the rest of its batch re-run), in a batch that failed or could not commit
 * (INTERNAL, nothing to wait for), or refused when a republished module takes over the queue
 * (`transferQueue`). The worker pool is a fake that answers by reducer id; the store is a real
 * one whose commits are recorded and made durable by hand.
 */
import { describe, expect, it } from 'vitest';
import { PROGRESS, packChanges, unpackCalls } from '../../runtime/host/batch-types.js';
import type { BatchResult, BatchTask, CallResult } from '../../runtime/host/batch-types.js';
import { nextCallId } from '../../runtime/host/call-id.js';
import type { ExecutedCall, PublishedBatch } from '../../runtime/host/engine-types.js';
import { DatabaseExecutor } from '../../runtime/host/executor.js';
import { validateModule } from '../../runtime/host/index.js';
import type { BatchRunner } from '../../runtime/host/worker-pool.js';
import type { LogFields, Logger } from '../../runtime/log/index.js';
import {
  BsatnWriter,
  encodeToBytes,
  Identity,
  WasmbaseError,
} from '../../runtime/protocol/index.js';
import {
  openDatabaseStore,
  type BatchTx,
  type CallChanges,
  type DatabaseStore,
  type DiskUse,
  type ReadTx,
  type TableMigrationSpec,
  type WriteSet,
} from '../../runtime/store/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const module = validateModule(moduleBytes('fixtures/ws'), Number.MAX_SAFE_INTEGER);
const TIMEOUT_MS = 50;

/** Reducer ids the fake pool treats specially; any other id commits. */
const FAILS = 90;
const TRAPS = 91;
const OOM = 92;
const HANGS = 99;

class RecordingLogger implements Logger {
  readonly errors: { msg: string; fields: LogFields | undefined }[] = [];
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(msg: string, fields?: LogFields): void {
    this.errors.push({ msg, fields });
  }
  child(): Logger {
    return this;
  }
}

/** A real store whose commits are recorded and become durable when the test says so. */
class GatedStore implements DatabaseStore {
  readonly commits: { ws: WriteSet; durable: Promise<void>; settle: (err?: Error) => void }[] = [];
  failNextCommit = false;
  readonly #inner: DatabaseStore;
  constructor(inner: DatabaseStore) {
    this.#inner = inner;
  }
  get path(): string {
    return this.#inner.path;
  }
  get schema() {
    return this.#inner.schema;
  }
  read(): ReadTx {
    return this.#inner.read();
  }
  beginBatch(base?: WriteSet): BatchTx {
    return this.#inner.beginBatch(base);
  }
  commit(ws: WriteSet): { readonly durable: Promise<void> } {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('MDB_MAP_FULL');
    }
    let settle!: (err?: Error) => void;
    const durable = new Promise<void>((resolve, reject) => {
      settle = err => (err === undefined ? resolve() : reject(err));
    });
    this.commits.push({ ws, durable, settle });
    return { durable };
  }
  migrate(changes: readonly TableMigrationSpec[], hash: string): Promise<void> {
    return this.#inner.migrate(changes, hash);
  }
  diskUse(): DiskUse {
    return this.#inner.diskUse();
  }
  moduleHash(): string | undefined {
    return this.#inner.moduleHash();
  }
  setModuleHash(hash: string): Promise<void> {
    return this.#inner.setModuleHash(hash);
  }
  clear(): Promise<void> {
    return this.#inner.clear();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The changes the fake pool reports for a committed call: one row of "table" `reducerId`. */
const changesOf = (reducerId: number): CallChanges => [
  { tableId: reducerId, inserts: [Uint8Array.of(reducerId, 7)], deletes: [] },
];

/** Answers by reducer id (see the constants above); `failNext` rejects one whole batch. */
class FakePool implements BatchRunner {
  /** The reducer ids of each batch it was given. */
  readonly batches: number[][] = [];
  failNext: Error | undefined;

  async run(task: BatchTask, signal: AbortSignal): Promise<BatchResult> {
    const calls = unpackCalls(task.calls);
    this.batches.push(calls.map(c => c.reducerId));
    if (this.failNext !== undefined) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    const hang = calls.findIndex(c => c.reducerId === HANGS);
    if (hang >= 0) {
      // Reports the call as started at the epoch: the watchdog stops it at its first look.
      Atomics.store(new Int32Array(task.progress), PROGRESS.CALL, hang);
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('worker terminated'))),
      );
    }
    const w = new BsatnWriter();
    const results = calls.map((c): CallResult => {
      const logs: CallResult['logs'] = [];
      if (c.reducerId === FAILS)
        return { status: 'failed', message: 'nope', durationMicros: 5, logs };
      if (c.reducerId === TRAPS)
        return { status: 'trapped', message: 'unreachable', durationMicros: 6, logs };
      if (c.reducerId === OOM)
        return { status: 'out_of_memory', message: 'grow', durationMicros: 7, logs };
      const start = w.length;
      packChanges(w, changesOf(c.reducerId));
      return { status: 'committed', changesAt: [start, w.length], durationMicros: 9, logs };
    });
    return { writeSet: { ops: new Uint8Array(0), opCount: 0 }, results, changes: w.toBytes() };
  }

  async close(): Promise<void> {}
}

function setup(batchMaxCalls = 8) {
  const store = new GatedStore(openDatabaseStore(tempDir(), module.schema));
  const pool = new FakePool();
  const logger = new RecordingLogger();
  const published: PublishedBatch[] = [];
  /** Commits recorded when each batch was published. */
  const commitsAtPublish: number[] = [];
  let throwInListener = false;
  const ex = new DatabaseExecutor({
    pool,
    store,
    module,
    databasePath: store.path,
    databaseIdentity: Identity.ZERO,
    reducerTimeoutMs: TIMEOUT_MS,
    batchMaxCalls,
    memoryMaxPages: 16,
    logger,
    onPublished: batch => {
      published.push(batch);
      commitsAtPublish.push(store.commits.length);
      if (throwInListener) {
        throwInListener = false;
        throw new Error('listener bug');
      }
    },
  });
  const ids = () => published.flatMap(b => b.calls.map(c => c.call.id));
  const throwOnce = () => (throwInListener = true);
  return { ex, store, pool, logger, published, commitsAtPublish, ids, throwOnce };
}

const call = (reducerId: number): ExecutedCall => ({
  id: nextCallId(),
  reducer: `r${reducerId}`,
  reducerId,
  args: new Uint8Array(0),
  sender: Identity.ZERO,
  connectionId: undefined,
  timestamp: 0n,
});

/** Waits (bounded) until `ready()` holds. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ready()) return;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const publishedCalls = (p: readonly PublishedBatch[]) => p.flatMap(b => b.calls);

/** Status and error code of each published call, by reducer id. */
const summary = (p: readonly PublishedBatch[]) =>
  publishedCalls(p).map(c => [c.call.reducerId, c.status === 'failed' ? c.error.code : 'ok']);

describe('executor: every call published once', () => {
  it('publishes committed calls right after their commit, with the store durability', async () => {
    const { ex, store, published, commitsAtPublish, ids } = setup();
    const calls = [call(1), call(2), call(3)];
    for (const c of calls) ex.submit(c);
    await until(() => ids().length === 3, 'three calls');
    expect(ids()).toEqual(calls.map(c => c.id));
    // Each batch is published with its own commit already made, and that commit's promise.
    expect(commitsAtPublish).toEqual(published.map((_, i) => i + 1));
    published.forEach((b, i) => expect(b.durable).toBe(store.commits[i]!.durable));
    for (const applied of publishedCalls(published)) {
      expect(applied.status).toBe('committed');
      if (applied.status !== 'committed') continue;
      expect(applied.changes).toEqual(changesOf(applied.call.reducerId));
      expect(applied.durationMicros).toBe(9);
    }
    for (const c of store.commits) c.settle();
    await ex.drain();
    expect(ids()).toEqual(calls.map(c => c.id));
  });

  it('publishes the module’s failures with their codes, beside committed calls', async () => {
    const { ex, store, published, ids } = setup();
    const calls = [call(FAILS), call(1), call(TRAPS), call(OOM)];
    for (const c of calls) ex.submit(c);
    await until(() => ids().length === 4, 'four calls');
    for (const c of store.commits) c.settle();
    await ex.drain();
    expect(ids()).toEqual(calls.map(c => c.id));
    const failures = publishedCalls(published).flatMap(c =>
      c.status === 'failed'
        ? [[c.error.code, c.error.message, c.error.details, c.durationMicros]]
        : [],
    );
    expect(failures).toEqual([
      ['REDUCER_FAILED', 'nope', { reducer: `r${FAILS}` }, 5],
      ['REDUCER_TRAPPED', 'unreachable', { reducer: `r${TRAPS}` }, 6],
      ['REDUCER_OUT_OF_MEMORY', 'grow', { reducer: `r${OOM}` }, 7],
    ]);
  });

  it('stops a call that overruns its time limit and re-runs the rest of its batch', async () => {
    const { ex, store, pool, published, ids } = setup();
    const calls = [call(1), call(HANGS), call(2)];
    // Hold the first batch in the executor's queue so all three run as one batch.
    await ex.pause();
    for (const c of calls) ex.submit(c);
    ex.resume();
    await until(() => ids().length === 3, 'three calls');
    expect(pool.batches).toEqual([
      [1, HANGS, 2],
      [1, 2],
    ]);
    expect(published).toHaveLength(1);
    expect(ids()).toEqual([calls[1]!.id, calls[0]!.id, calls[2]!.id]);
    const [stopped, ...rest] = publishedCalls(published);
    expect(stopped?.status === 'failed' && [stopped.error.code, stopped.error.message]).toEqual([
      'REDUCER_TIMEOUT',
      `reducer r${HANGS} ran longer than ${TIMEOUT_MS} ms (--reducer-timeout-ms) and was stopped`,
    ]);
    expect(stopped?.durationMicros).toBe(TIMEOUT_MS * 1000);
    expect(rest.map(c => c.status)).toEqual(['committed', 'committed']);
    expect(store.commits).toHaveLength(1);
    store.commits[0]!.settle();
    await ex.drain();
  });

  it('publishes a batch of only a stopped call with nothing to wait for', async () => {
    const { ex, store, published, ids } = setup();
    const c = call(HANGS);
    ex.submit(c);
    await until(() => ids().length === 1, 'the call');
    expect(summary(published)).toEqual([[HANGS, 'REDUCER_TIMEOUT']]);
    expect(store.commits).toHaveLength(0);
    await published[0]!.durable;
  });

  it('fails every call of a batch the pool could not run, then carries on', async () => {
    const { ex, store, pool, logger, published, ids } = setup();
    pool.failNext = new Error('worker crashed: /secret/path');
    const first = [call(1), call(2)];
    await ex.pause();
    for (const c of first) ex.submit(c);
    ex.resume();
    await until(() => ids().length === 2, 'the failed batch');
    expect(summary(published)).toEqual([
      [1, 'INTERNAL'],
      [2, 'INTERNAL'],
    ]);
    for (const a of publishedCalls(published)) {
      expect(a.status === 'failed' && a.error.message).toBe(
        'the call could not be executed; see the server log',
      );
    }
    await published[0]!.durable;
    expect(store.commits).toHaveLength(0);
    expect(logger.errors.map(e => e.msg)).toEqual(['reducer batch failed']);
    const next = call(3);
    ex.submit(next);
    await until(() => ids().length === 3, 'the next call');
    expect(summary(published.slice(1))).toEqual([[3, 'ok']]);
    store.commits[0]!.settle();
    await ex.drain();
  });

  it('fails a batch whose commit throws, and every batch after it', async () => {
    const { ex, store, published, ids } = setup();
    store.failNextCommit = true;
    ex.submit(call(1));
    await until(() => ids().length === 1, 'the first call');
    ex.submit(call(2));
    await until(() => ids().length === 2, 'the second call');
    expect(summary(published)).toEqual([
      [1, 'INTERNAL'],
      [2, 'INTERNAL'],
    ]);
    expect(store.commits).toHaveLength(0);
    await Promise.all(published.map(b => b.durable));
  });

  it('publishes a commit that never reaches the disk once, and logs it', async () => {
    const { ex, store, logger, published, ids } = setup();
    ex.submit(call(1));
    await until(() => ids().length === 1, 'the call');
    store.commits[0]!.settle(new Error('EIO'));
    await expect(published[0]!.durable).rejects.toThrow('EIO');
    await ex.drain();
    expect(logger.errors.map(e => e.msg)).toEqual(['commit did not reach the disk']);
    expect(ids()).toHaveLength(1);
  });

  it('keeps publishing after a listener throws', async () => {
    const { ex, store, logger, ids, throwOnce } = setup();
    throwOnce();
    const calls = [call(1), call(2)];
    ex.submit(calls[0]!);
    await until(() => ids().length === 1, 'the first call');
    ex.submit(calls[1]!);
    await until(() => ids().length === 2, 'the second call');
    expect(ids()).toEqual(calls.map(c => c.id));
    expect(logger.errors.map(e => e.msg)).toEqual(['batch listener failed']);
    for (const c of store.commits) c.settle();
    await ex.drain();
  });
});

describe('executor: host-side transactions', () => {
  const team = module.schema.tableByName('team')!;
  const row = encodeToBytes({ tag: 'Product', elements: team.rowType.elements }, [4, 'reds']);
  const hostCall = (): ExecutedCall => ({ ...call(-1), reducer: 'sql' });

  it('publishes a committed transaction once and resolves after it is durable', async () => {
    const { ex, store, published } = setup();
    const c = hostCall();
    let done = false;
    const result = ex
      .transact(c, tx => tx.insert(team.id, row).length)
      .then(r => {
        done = true;
        return r;
      });
    await until(() => published.length === 1, 'the transaction');
    const [applied] = publishedCalls(published);
    expect(applied?.call).toBe(c);
    const want = [{ tableId: team.id, inserts: [row], deletes: [] }];
    expect(applied?.status === 'committed' && applied.changes).toEqual(want);
    expect(done).toBe(false);
    store.commits[0]!.settle();
    expect((await result).changes).toEqual(want);
  });

  it('rejects a transaction that throws without publishing it, and runs the next', async () => {
    const { ex, store, published } = setup();
    const failing = ex.transact(hostCall(), () => {
      throw new WasmbaseError('UNIQUE_VIOLATION', 'taken');
    });
    await expect(failing).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    const next = ex.transact(hostCall(), tx => tx.insert(team.id, row));
    await until(() => published.length === 1, 'the next transaction');
    store.commits[0]!.settle();
    await next;
    expect(published).toHaveLength(1);
  });
});

describe('executor: host transactions keep arrival order', () => {
  // A host job runs synchronously on the main thread and reads the store: it must start only
  // after the reducer batch before it committed (it sees the batch's writes) and was published.
  it('publishes a host transaction queued behind a reducer batch after that batch', async () => {
    const { ex, store, published } = setup();
    const team = module.schema.tableByName('team')!;
    const row = encodeToBytes({ tag: 'Product', elements: team.rowType.elements }, [5, 'y']);
    const first = call(1);
    const host = { ...call(-1), reducer: 'sql' };
    ex.submit(first);
    const done = ex.transact(host, tx => tx.insert(team.id, row));
    await until(() => published.length === 2, 'both');
    for (const c of store.commits) c.settle();
    await done;
    expect(publishedCalls(published).map(c => c.call.id)).toEqual([first.id, host.id]);
  });
});

describe('executor: a republished module takes over the queue', () => {
  it('moves queued calls over and publishes the refused ones as failed, once', async () => {
    const old = setup();
    const next = setup();
    await old.ex.pause();
    const calls = [call(1), call(2), call(3)];
    for (const c of calls) old.ex.submit(c);
    const team = module.schema.tableByName('team')!;
    const row = encodeToBytes({ tag: 'Product', elements: team.rowType.elements }, [9, 'x']);
    const keptCall = { ...call(-1), reducer: 'kept' };
    const kept = old.ex.transact(keptCall, tx => tx.insert(team.id, row));
    const dropped = old.ex.transact({ ...call(-1), reducer: 'dropped' }, () => 0);
    const refusal = new WasmbaseError('REDUCER_NOT_FOUND', 'no reducer "r2" any more');
    old.ex.transferQueue(next.ex, c => {
      if (c.reducerId === 2 || c.reducer === 'dropped') return refusal;
      return c.reducerId < 0 ? c : { ...c, reducerId: c.reducerId + 100 };
    });
    await expect(dropped).rejects.toBe(refusal);
    // The refused call is published by the old executor, at once, with nothing to wait for.
    expect(old.published).toHaveLength(1);
    const [refused] = publishedCalls(old.published);
    expect(refused?.call).toBe(calls[1]);
    expect(refused?.status === 'failed' && refused.error).toBe(refusal);
    await old.published[0]!.durable;
    // The others run on the new module (remapped), with their ids.
    await until(() => next.ids().length === 3, 'the moved calls');
    expect(next.pool.batches.flat()).toEqual([101, 103]);
    expect(next.ids()).toEqual([calls[0]!.id, calls[2]!.id, keptCall.id]);
    expect(publishedCalls(next.published).map(c => c.call.reducerId)).toEqual([101, 103, -1]);
    for (const c of next.store.commits) c.settle();
    await kept;
    await next.ex.drain();
    expect(old.pool.batches).toEqual([]);
    const all = [...old.ids(), ...next.ids()];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(4);
  });
});

describe('call ids', () => {
  it('are unique and increasing in the process', () => {
    const a = nextCallId();
    const b = nextCallId();
    expect(b).toBe(a + 1);
    expect(call(1).id).toBe(b + 1);
  });
});
