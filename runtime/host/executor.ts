/**
 * @module
 * The per-database executor. Calls run one at a time in arrival order, gathered into batches:
 * a worker runs a batch against a snapshot plus overlay, the main thread commits its write set
 * in one short LMDB transaction, and callers are answered once that commit is on disk. While
 * batch k flushes, batch k+1 already runs (one batch in flight per database).
 *
 * The executor is the only publisher of call outcomes: every submitted call appears exactly once
 * in a `PublishedBatch` handed to `onPublished`, committed or failed, with its numeric id. A
 * batch that committed is published synchronously right after its LMDB commit (a read inside
 * the listener sees exactly the state after it) with the promise of its durability; calls that
 * never reached a commit (a failed batch, a call refused while the module was replaced) are
 * published as failed, with nothing to wait for. Consumers (the outcome waiters behind
 * `DatabaseHandle.call`, the WebSocket feeds, the module log) all read that one stream.
 *
 * A call that overruns the time limit is stopped by terminating its worker (the worker reports
 * which call it is running through shared memory); that call fails with REDUCER_TIMEOUT and the
 * rest of its batch is run again — nothing of the stopped batch was committed.
 */
import type { Logger } from '../log/index.js';
import { WasmbaseError, type Identity } from '../protocol/index.js';
import type { BatchTx, CallChanges, DatabaseStore, WriteSet } from '../store/index.js';
import { packCalls, PROGRESS, unpackChanges, type BatchResult } from './batch-types.js';
import type { AppliedCall, ExecutedCall, PublishedBatch } from './engine-types.js';
import type { ValidatedModule } from './module-validate.js';
import type { BatchRunner } from './worker-pool.js';

export interface ExecutorDeps {
  readonly pool: BatchRunner;
  readonly store: DatabaseStore;
  readonly module: ValidatedModule;
  readonly databasePath: string;
  readonly databaseIdentity: Identity;
  readonly reducerTimeoutMs: number;
  readonly batchMaxCalls: number;
  readonly memoryMaxPages: number;
  readonly logger: Logger;
  /** Every outcome, once, in execution order (see the module comment). */
  readonly onPublished: (batch: PublishedBatch) => void;
}

interface QueuedJob {
  readonly kind: 'host';
  readonly call: ExecutedCall;
  readonly run: (tx: BatchTx) => unknown;
  readonly resolve: (value: { result: unknown; changes: CallChanges }) => void;
  readonly reject: (err: unknown) => void;
}

type Queued = { readonly kind: 'call'; readonly call: ExecutedCall } | QueuedJob;

const SETTLED: Promise<void> = Promise.resolve();

function shuttingDown(): WasmbaseError {
  return new WasmbaseError('SHUTTING_DOWN', 'the database is shutting down or being replaced');
}

/**
 * A committed call whose changes are decoded on first use: most calls' changes are never read
 * (no subscriber, an HTTP caller), and decoding them all costs main-thread time and garbage.
 */
function committedCall(
  call: ExecutedCall,
  packed: Uint8Array,
  result: { durationMicros: number; logs: AppliedCall['logs'] },
): Extract<AppliedCall, { status: 'committed' }> {
  let changes: CallChanges | undefined;
  return {
    status: 'committed',
    call,
    durationMicros: result.durationMicros,
    logs: result.logs,
    get changes(): CallChanges {
      changes ??= unpackChanges(packed);
      return changes;
    },
  };
}

function failedCall(call: ExecutedCall, error: WasmbaseError, durationMicros = 0): AppliedCall {
  return { status: 'failed', call, error, durationMicros, logs: [] };
}

const FAILURE_CODES = {
  failed: 'REDUCER_FAILED',
  trapped: 'REDUCER_TRAPPED',
  out_of_memory: 'REDUCER_OUT_OF_MEMORY',
  cancelled: 'SCHEDULE_CANCELLED',
} as const;

export class DatabaseExecutor {
  readonly #deps: ExecutorDeps;
  readonly #queue: Queued[] = [];
  #busy = false;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  #lastDurable: Promise<void> = SETTLED;
  /** Writes of the batch committing right now; the next batch runs on top of them. */
  #base: WriteSet | undefined;
  /** Set once a commit failed: later batches may depend on it, so they fail too. */
  #broken: unknown;
  /** While paused, calls queue up but no batch starts (used while a new module takes over). */
  #paused = false;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  /** Queues a reducer call; its outcome is published once (see the module comment). */
  submit(call: ExecutedCall): void {
    if (this.#closed) throw shuttingDown();
    this.#queue.push({ kind: 'call', call });
    this.#pump();
  }

  /** Queues a host-side transaction; resolves once it is durable. */
  transact<T>(
    call: ExecutedCall,
    run: (tx: BatchTx) => T,
  ): Promise<{ result: T; changes: CallChanges }> {
    if (this.#closed) return Promise.reject(shuttingDown());
    return new Promise((resolve, reject) => {
      const job: QueuedJob = { kind: 'host', call, run, reject, resolve: resolve as never };
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Stops accepting work and waits until everything queued is done and durable. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  /** Stops starting batches; resolves once the running batch (if any) is done and durable. */
  async pause(): Promise<void> {
    this.#paused = true;
    while (this.#busy) await new Promise<void>(resolve => this.#idleWaiters.push(resolve));
    await this.#lastDurable.catch(() => {});
  }

  /** Starts batches again after `pause`. */
  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /**
   * Hands every queued call over to `next` (a paused executor gives up its queue when a new
   * module takes over). `remap` translates a call to the new module, or returns an error for
   * calls that no longer make sense (their reducer is gone); those are published as failed.
   * This executor accepts nothing afterwards (SHUTTING_DOWN).
   */
  transferQueue(
    next: DatabaseExecutor,
    remap: (call: ExecutedCall) => ExecutedCall | WasmbaseError,
  ): void {
    // Everything queued goes over, and nothing new is taken: later calls go to `next`.
    this.#closed = true;
    const refused: AppliedCall[] = [];
    for (const item of this.#queue.splice(0)) {
      const call = remap(item.call);
      if (!(call instanceof WasmbaseError)) next.#queue.push({ ...item, call });
      else if (item.kind === 'call') refused.push(failedCall(item.call, call));
      else item.reject(call);
    }
    if (refused.length > 0) this.#publish({ calls: refused, durable: SETTLED });
    next.#pump();
  }

  /** Waits until the queue is empty, no batch is running and the last commit is durable. */
  async drain(): Promise<void> {
    while (this.#busy || this.#queue.length > 0) {
      await new Promise<void>(resolve => this.#idleWaiters.push(resolve));
    }
    await this.#lastDurable.catch(() => {});
  }

  #pump(): void {
    if (this.#busy) return;
    const head = this.#queue[0];
    if (this.#paused || head === undefined) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    this.#busy = true;
    if (head.kind === 'host') {
      this.#queue.shift();
      this.#runHostJob(head);
      return;
    }
    const batch: ExecutedCall[] = [];
    while (batch.length < this.#deps.batchMaxCalls) {
      const next = this.#queue[0];
      if (next?.kind !== 'call') break;
      this.#queue.shift();
      batch.push(next.call);
    }
    void this.#runBatch(batch);
  }

  #publish(batch: PublishedBatch): void {
    try {
      this.#deps.onPublished(batch);
    } catch (err) {
      this.#deps.logger.error('batch listener failed', { err });
    }
  }

  #release(): void {
    this.#busy = false;
    this.#pump();
  }

  #runHostJob(job: QueuedJob): void {
    const { store } = this.#deps;
    this.#base = undefined;
    const tx = store.beginBatch();
    try {
      tx.beginCall();
      let result: unknown;
      let changes: CallChanges;
      try {
        result = job.run(tx);
        changes = tx.commitCall();
      } catch (err) {
        tx.rollbackCall();
        throw err;
      }
      const { durable } = store.commit(tx.finish());
      this.#lastDurable = durable;
      this.#release();
      const applied: AppliedCall = {
        status: 'committed',
        call: job.call,
        changes,
        durationMicros: 0,
        logs: [],
      };
      this.#publish({ calls: [applied], durable });
      durable.then(() => job.resolve({ result, changes }), job.reject);
    } catch (err) {
      tx.abandon();
      this.#release();
      job.reject(err);
    }
  }

  async #runOnce(
    calls: readonly ExecutedCall[],
  ): Promise<{ result?: BatchResult; timedOut?: number; error?: unknown }> {
    const d = this.#deps;
    const progress = new SharedArrayBuffer(PROGRESS.LENGTH * 4);
    const view = new Int32Array(progress);
    Atomics.store(view, PROGRESS.CALL, -1);
    const abort = new AbortController();
    let timedOut: number | undefined;
    const tick = Math.max(5, Math.min(50, Math.floor(d.reducerTimeoutMs / 4)));
    const watchdog = setInterval(() => {
      const index = Atomics.load(view, PROGRESS.CALL);
      if (index < 0) return;
      const hi = Atomics.load(view, PROGRESS.START_HI) >>> 0;
      const started = hi * 0x100000000 + (Atomics.load(view, PROGRESS.START_LO) >>> 0);
      if (Date.now() - started > d.reducerTimeoutMs) {
        timedOut = index;
        abort.abort();
      }
    }, tick);
    try {
      const packed = packCalls(
        calls.map(c => ({
          reducerId: c.reducerId,
          args: c.args,
          sender: c.sender.bytes,
          connectionId: c.connectionId?.bytes ?? new Uint8Array(16),
          timestamp: c.timestamp,
          schedule: c.schedule,
        })),
      );
      const result = await d.pool.run(
        {
          databasePath: d.databasePath,
          databaseIdentity: d.databaseIdentity.bytes,
          moduleHash: d.module.hash,
          moduleBytes: d.module.shared,
          schemaJson: d.module.schemaJson,
          memoryMinPages: d.module.memoryMinPages,
          memoryMaxPages: d.memoryMaxPages,
          tableElements: d.module.tableElements,
          base: this.#base,
          calls: packed,
          progress,
        },
        abort.signal,
      );
      return { result };
    } catch (error) {
      return timedOut === undefined ? { error } : { timedOut };
    } finally {
      clearInterval(watchdog);
    }
  }

  /** Runs `batch`, re-running it without each call that times out. */
  async #execute(batch: readonly ExecutedCall[]): Promise<{
    pending: readonly ExecutedCall[];
    timeouts: AppliedCall[];
    result?: BatchResult;
    failure?: unknown;
  }> {
    const limit = this.#deps.reducerTimeoutMs;
    let pending = batch;
    const timeouts: AppliedCall[] = [];
    while (pending.length > 0) {
      const attempt = await this.#runOnce(pending);
      if (attempt.result !== undefined) return { pending, timeouts, result: attempt.result };
      const index = attempt.timedOut;
      const stopped = index === undefined ? undefined : pending[index];
      if (stopped === undefined) return { pending, timeouts, failure: attempt.error };
      const message =
        `reducer ${stopped.reducer} ran longer than ${limit} ms ` +
        '(--reducer-timeout-ms) and was stopped';
      timeouts.push(
        failedCall(stopped, new WasmbaseError('REDUCER_TIMEOUT', message), limit * 1000),
      );
      pending = pending.filter((_, i) => i !== index);
    }
    return { pending, timeouts };
  }

  /** The outcome of every call of a worker's batch result. */
  #outcomes(pending: readonly ExecutedCall[], result: BatchResult): AppliedCall[] {
    return result.results.map((r, i): AppliedCall => {
      const call = pending[i]!;
      if (r.status === 'committed') {
        return committedCall(call, result.changes.subarray(r.changesAt[0], r.changesAt[1]), r);
      }
      const error = new WasmbaseError(FAILURE_CODES[r.status], r.message, {
        reducer: call.reducer,
      });
      return { status: 'failed', call, error, durationMicros: r.durationMicros, logs: r.logs };
    });
  }

  async #runBatch(batch: readonly ExecutedCall[]): Promise<void> {
    const { pending, timeouts, result, failure } = await this.#execute(batch);
    let error: unknown = failure;
    if (result !== undefined && this.#broken !== undefined) error = this.#broken;
    if (result === undefined || error !== undefined) {
      this.#base = undefined;
      this.#failBatch(pending, timeouts, error);
      this.#release();
      return;
    }
    // The next batch runs on top of these writes: start it first, then commit, so that its
    // execution overlaps this commit. A host transaction next in line runs on the main thread at
    // once and reads the store itself, so it starts only after this batch is committed and
    // published.
    this.#base = result.writeSet;
    const hostNext = this.#queue[0]?.kind === 'host';
    if (!hostNext) this.#release();
    try {
      const durable = this.#deps.store.commit(result.writeSet).durable;
      this.#lastDurable = durable;
      durable.catch((err: unknown) =>
        this.#deps.logger.error('commit did not reach the disk', { err }),
      );
      this.#publish({ calls: [...timeouts, ...this.#outcomes(pending, result)], durable });
    } catch (err) {
      this.#broken = err;
      this.#failBatch(pending, timeouts, err);
    } finally {
      if (hostNext) this.#release();
    }
  }

  /** Publishes a batch that committed nothing: its timeouts, and every other call as failed. */
  #failBatch(pending: readonly ExecutedCall[], timeouts: AppliedCall[], err: unknown): void {
    if (pending.length > 0) {
      this.#deps.logger.error('reducer batch failed', { err, calls: pending.length });
    }
    const internal = new WasmbaseError(
      'INTERNAL',
      'the call could not be executed; see the server log',
    );
    const calls = [...timeouts, ...pending.map(call => failedCall(call, internal))];
    if (calls.length > 0) this.#publish({ calls, durable: SETTLED });
  }
}
