/**
 * @module
 * The per-database executor. Calls run one at a time in arrival order, gathered into batches:
 * a worker runs a batch against a snapshot plus overlay, the main thread commits its write set
 * in one short LMDB transaction, and callers are answered once that commit is on disk. While
 * batch k flushes, batch k+1 already runs (one batch in flight per database).
 *
 * A call that overruns the time limit is stopped by terminating its worker (the worker reports
 * which call it is running through shared memory); that call fails with REDUCER_TIMEOUT and the
 * rest of its batch is run again — nothing of the stopped batch was committed.
 */
import { WasmbaseError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Identity } from '../protocol/index.js';
import type { BatchTx, CallChanges, DatabaseStore, WriteSet } from '../store/index.js';
import {
  packCalls,
  PROGRESS,
  unpackChanges,
  type BatchCall,
  type BatchResult,
  type CallResult,
} from './batch-types.js';
import type { AppliedBatch, AppliedCall, CallOutcome, ExecutedCall } from './engine-types.js';
import type { ValidatedModule } from './module-validate.js';
import type { WorkerPool } from './worker-pool.js';

export interface ExecutorDeps {
  readonly pool: WorkerPool;
  readonly store: DatabaseStore;
  readonly module: ValidatedModule;
  readonly databasePath: string;
  readonly databaseIdentity: Identity;
  readonly reducerTimeoutMs: number;
  readonly batchMaxCalls: number;
  readonly memoryMaxPages: number;
  readonly logger: Logger;
  /** Every finished call (committed ones after they are durable), in order. */
  readonly onFinished: (
    call: ExecutedCall,
    result: CallResult | { status: 'timeout'; message: string; durationMicros: number },
  ) => void;
  /** Committed transactions, in commit order, once durable. */
  readonly onCommitted: (call: ExecutedCall, changes: () => CallChanges) => void;
  /**
   * Called synchronously right after a batch's LMDB commit, before any later commit: a read
   * snapshot taken inside sees exactly the state after this batch.
   */
  readonly onApplied: (batch: AppliedBatch) => void;
}

interface QueuedCall {
  readonly kind: 'call';
  readonly call: ExecutedCall;
  readonly resolve: (outcome: CallOutcome) => void;
}

interface QueuedJob {
  readonly kind: 'host';
  readonly call: ExecutedCall;
  readonly run: (tx: BatchTx) => unknown;
  readonly resolve: (value: { result: unknown; changes: CallChanges }) => void;
  readonly reject: (err: unknown) => void;
}

type Queued = QueuedCall | QueuedJob;

/**
 * A committed call whose changes are decoded on first use: most calls' changes are never read
 * (no subscriber, an HTTP caller), and decoding them all costs main-thread time and garbage.
 */
function committedCall(
  call: ExecutedCall,
  packed: Uint8Array,
  durationMicros: number,
): Extract<AppliedCall, { status: 'committed' }> {
  let changes: CallChanges | undefined;
  return {
    status: 'committed',
    call,
    durationMicros,
    get changes(): CallChanges {
      changes ??= unpackChanges(packed);
      return changes;
    },
  };
}

export class DatabaseExecutor {
  readonly #deps: ExecutorDeps;
  readonly #queue: Queued[] = [];
  #busy = false;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  #lastDurable: Promise<void> = Promise.resolve();
  /** Writes of the batch committing right now; the next batch runs on top of them. */
  #base: WriteSet | undefined;
  /** Set once a commit failed: later batches may depend on it, so they fail too. */
  #broken: unknown;
  /** While paused, calls queue up but no batch starts (used while a new module takes over). */
  #paused = false;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  /** Queues a reducer call; resolves with its outcome (committed outcomes once durable). */
  call(call: ExecutedCall): Promise<CallOutcome> {
    if (this.#closed)
      return Promise.reject(
        new WasmbaseError('SHUTTING_DOWN', 'the database is shutting down or being replaced'),
      );
    return new Promise(resolve => {
      this.#queue.push({ kind: 'call', call, resolve });
      this.#pump();
    });
  }

  /** Queues a host-side transaction; resolves once it is durable. */
  transact<T>(
    call: ExecutedCall,
    run: (tx: BatchTx) => T,
  ): Promise<{ result: T; changes: CallChanges }> {
    if (this.#closed)
      return Promise.reject(
        new WasmbaseError('SHUTTING_DOWN', 'the database is shutting down or being replaced'),
      );
    return new Promise((resolve, reject) => {
      this.#queue.push({
        kind: 'host',
        call,
        run,
        resolve: resolve as QueuedJob['resolve'],
        reject,
      });
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
   * calls that no longer make sense (their reducer is gone); those fail with it.
   */
  transferQueue(
    next: DatabaseExecutor,
    remap: (call: ExecutedCall) => ExecutedCall | WasmbaseError,
  ): void {
    const queued = this.#queue.splice(0);
    for (const item of queued) {
      const call = remap(item.call);
      if (call instanceof WasmbaseError) {
        if (item.kind === 'call')
          item.resolve({
            status: 'failed',
            error: call,
            timestamp: item.call.timestamp,
            durationMicros: 0,
          });
        else item.reject(call);
        continue;
      }
      next.#queue.push({ ...item, call });
    }
    next.#pump();
  }

  /** Waits until the queue is empty, no batch is running and the last commit is durable. */
  async drain(): Promise<void> {
    while (this.#busy || this.#queue.length > 0)
      await new Promise<void>(resolve => this.#idleWaiters.push(resolve));
    await this.#lastDurable.catch(() => {});
  }

  #pump(): void {
    if (this.#busy) return;
    if (this.#paused) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    const head = this.#queue[0];
    if (head === undefined) {
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
    const batch: QueuedCall[] = [];
    while (batch.length < this.#deps.batchMaxCalls && this.#queue[0]?.kind === 'call')
      batch.push(this.#queue.shift() as QueuedCall);
    void this.#runBatch(batch);
  }

  #applied(batch: AppliedBatch): void {
    try {
      this.#deps.onApplied(batch);
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
    let result: unknown;
    let changes: CallChanges;
    try {
      tx.beginCall();
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
      this.#applied({
        calls: [{ status: 'committed', call: job.call, changes, durationMicros: 0 }],
        durable,
      });
      durable.then(
        () => {
          this.#deps.onCommitted(job.call, () => changes);
          job.resolve({ result, changes });
        },
        (err: unknown) => job.reject(err),
      );
    } catch (err) {
      tx.abandon();
      this.#release();
      job.reject(err);
    }
  }

  async #runOnce(
    calls: readonly QueuedCall[],
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
      const started =
        (Atomics.load(view, PROGRESS.START_HI) >>> 0) * 0x100000000 +
        (Atomics.load(view, PROGRESS.START_LO) >>> 0);
      if (Date.now() - started > d.reducerTimeoutMs) {
        timedOut = index;
        abort.abort();
      }
    }, tick);
    try {
      const batchCalls: BatchCall[] = calls.map(q => ({
        reducerId: q.call.reducerId,
        args: q.call.args,
        sender: q.call.sender.bytes,
        connectionId: q.call.connectionId?.bytes ?? new Uint8Array(16),
        timestamp: q.call.timestamp,
      }));
      const result = await d.pool.run(
        {
          databasePath: d.databasePath,
          databaseIdentity: d.databaseIdentity.bytes,
          moduleHash: d.module.hash,
          moduleBytes: d.module.shared,
          schemaJson: d.module.schemaJson,
          memoryMinPages: d.module.memoryMinPages,
          memoryMaxPages: d.memoryMaxPages,
          base: this.#base,
          calls: packCalls(batchCalls),
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

  async #runBatch(batch: QueuedCall[]): Promise<void> {
    const d = this.#deps;
    let pending = batch;
    const timeouts: QueuedCall[] = [];
    let result: BatchResult | undefined;
    let failure: unknown;
    while (pending.length > 0) {
      const attempt = await this.#runOnce(pending);
      if (attempt.result !== undefined) {
        result = attempt.result;
        break;
      }
      if (attempt.timedOut === undefined) {
        failure = attempt.error;
        break;
      }
      timeouts.push(pending[attempt.timedOut]!);
      pending = pending.filter((_, i) => i !== attempt.timedOut);
    }
    let durable: Promise<void> = Promise.resolve();
    if (result !== undefined && this.#broken !== undefined) {
      failure = this.#broken;
      result = undefined;
    }
    const timeoutMicros = d.reducerTimeoutMs * 1000;
    const timeoutErrors = timeouts.map(
      q =>
        new WasmbaseError(
          'REDUCER_TIMEOUT',
          `reducer ${q.call.reducer} ran longer than ${d.reducerTimeoutMs} ms (--reducer-timeout-ms) and was stopped`,
        ),
    );
    const timeoutOutcomes = timeouts.map((q, i): AppliedCall => ({
      status: 'failed',
      call: q.call,
      error: timeoutErrors[i]!,
      durationMicros: timeoutMicros,
    }));
    let outcomes: AppliedCall[] = [];
    if (result === undefined) {
      this.#base = undefined;
      this.#release();
    } else {
      // Start the next batch on top of these writes first, then commit them: execution of the
      // next batch overlaps this commit.
      this.#base = result.writeSet;
      this.#release();
      try {
        durable = d.store.commit(result.writeSet).durable;
        outcomes = result.results.map((r, i): AppliedCall => {
          const call = pending[i]!.call;
          if (r.status === 'committed') {
            return committedCall(
              call,
              result!.changes.subarray(r.changesAt[0], r.changesAt[1]),
              r.durationMicros,
            );
          }
          const code =
            r.status === 'failed'
              ? 'REDUCER_FAILED'
              : r.status === 'out_of_memory'
                ? 'REDUCER_OUT_OF_MEMORY'
                : 'REDUCER_TRAPPED';
          return {
            status: 'failed',
            call,
            error: new WasmbaseError(code, r.message, { reducer: call.reducer }),
            durationMicros: r.durationMicros,
          };
        });
        this.#applied({ calls: [...timeoutOutcomes, ...outcomes], durable });
      } catch (err) {
        this.#broken = err;
        failure = err;
        result = undefined;
      }
    }
    this.#lastDurable = durable;

    timeouts.forEach((q, i) => {
      const error = timeoutErrors[i]!;
      d.onFinished(q.call, {
        status: 'timeout',
        message: error.message,
        durationMicros: timeoutMicros,
      });
      q.resolve({
        status: 'failed',
        error,
        timestamp: q.call.timestamp,
        durationMicros: timeoutMicros,
      });
    });
    if (result === undefined) {
      if (pending.length > 0)
        d.logger.error('reducer batch failed', { err: failure, calls: pending.length });
      for (const q of pending) {
        q.resolve({
          status: 'failed',
          error: new WasmbaseError(
            'INTERNAL',
            'the call could not be executed; see the server log',
          ),
          timestamp: q.call.timestamp,
          durationMicros: 0,
        });
      }
      return;
    }
    try {
      await durable;
    } catch (err) {
      d.logger.error('commit did not reach the disk', { err });
      for (const q of pending)
        q.resolve({
          status: 'failed',
          error: new WasmbaseError('STORAGE_FAILURE', 'the transaction could not be made durable'),
          timestamp: q.call.timestamp,
          durationMicros: 0,
        });
      return;
    }
    const results = result.results;
    outcomes.forEach((o, i) => {
      const q = pending[i]!;
      d.onFinished(q.call, results[i]!);
      if (o.status === 'committed') {
        d.onCommitted(q.call, () => o.changes);
        q.resolve({
          status: 'committed',
          get changes() {
            return o.changes;
          },
          timestamp: q.call.timestamp,
          durationMicros: o.durationMicros,
        });
        return;
      }
      q.resolve({
        status: 'failed',
        error: o.error,
        timestamp: q.call.timestamp,
        durationMicros: o.durationMicros,
      });
    });
  }
}
