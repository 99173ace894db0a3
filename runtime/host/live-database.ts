/**
 * @module
 * One open database: its store, its executor, its module log, and the consumers of the
 * executor's published batches — the outcome waiters behind `call`, the module log, and the
 * listeners added with `onPublished` (the WebSocket feeds).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { ModuleLog } from '../log/index.js';
import { moduleLogLevel, type Logger } from '../log/index.js';
import {
  WasmbaseError,
  type ConnectionId,
  type Identity,
  type ModuleSchema,
} from '../protocol/index.js';
import { openDatabaseStore, type CallChanges, type DatabaseStore } from '../store/index.js';
import { nextCallId } from './call-id.js';
import type {
  AppliedCall,
  CallOutcome,
  CallRequest,
  DatabaseHandle,
  DatabaseInfo,
  ExecutedCall,
  PublishedBatch,
} from './engine-types.js';
import { DatabaseExecutor } from './executor.js';
import type { ValidatedModule } from './module-validate.js';
import type { OutcomeWaiters } from './outcome-waiters.js';
import { prepareCall } from './reducer-call.js';
import { systemClock, type ScheduleClock } from './schedule-clock.js';
import { ScheduleRunner, type DueRun } from './schedule-runner.js';
import { scheduleStateFile } from './schedule-state.js';
import type { BatchRunner } from './worker-pool.js';

export const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

/** How each failure shows in the module log: its word and level. */
const LOGGED_FAILURES: Readonly<Record<string, readonly [string, 'info' | 'error']>> = {
  REDUCER_FAILED: ['failed', 'info'],
  REDUCER_TRAPPED: ['trapped', 'error'],
  REDUCER_OUT_OF_MEMORY: ['out_of_memory', 'error'],
  REDUCER_TIMEOUT: ['timeout', 'error'],
};

export interface LiveDatabaseDeps {
  readonly info: DatabaseInfo;
  readonly module: ValidatedModule;
  readonly dir: string;
  readonly pool: BatchRunner;
  readonly config: Config;
  readonly logger: Logger;
  readonly log: ModuleLog;
  /**
   * The engine's waiters (one for all databases: call ids are unique in the process, and a
   * queued call may move to the executor of a republished module).
   */
  readonly waiters: OutcomeWaiters;
  /** The scheduler's clock (tests inject one); the system clock by default. */
  readonly clock?: ScheduleClock | undefined;
}

export class LiveDatabase implements DatabaseHandle {
  info: DatabaseInfo;
  readonly schema: ModuleSchema;
  readonly module: ValidatedModule;
  readonly store: DatabaseStore;
  readonly executor: DatabaseExecutor;
  readonly log: ModuleLog;
  readonly #logger: Logger;
  readonly #waiters: OutcomeWaiters;
  readonly #listeners = new Set<(batch: PublishedBatch) => void>();
  readonly #schedules: ScheduleRunner | undefined;
  #schedulesStarted = false;
  /** `readAsync` snapshots still open (settled promises, never rejected). */
  readonly #slowReads = new Set<Promise<void>>();
  /** Set once `close` began: new async reads are refused, open ones are waited for. */
  #closing: Promise<unknown> | undefined;

  constructor(deps: LiveDatabaseDeps) {
    const { info, module, dir, config } = deps;
    this.info = info;
    this.module = module;
    this.schema = module.schema;
    this.log = deps.log;
    this.#logger = deps.logger;
    this.#waiters = deps.waiters;
    this.store = openDatabaseStore(dir, module.schema);
    this.executor = new DatabaseExecutor({
      pool: deps.pool,
      store: this.store,
      module,
      databasePath: dir,
      databaseIdentity: info.identity,
      reducerTimeoutMs: config.reducerTimeoutMs,
      batchMaxCalls: config.batchMaxCalls,
      memoryMaxPages: Math.min(
        Math.floor(config.moduleMemoryBytes / 65536),
        module.memoryMaxPages ?? Number.MAX_SAFE_INTEGER,
      ),
      logger: deps.logger.child({ database: info.identity.toHex() }),
      onPublished: batch => this.#published(batch),
    });
    this.#schedules = module.schema.schedules.length === 0 ? undefined : this.#scheduleRunner(deps);
  }

  #scheduleRunner(deps: LiveDatabaseDeps): ScheduleRunner {
    const caller = this.info.identity.toHex();
    const clock = deps.clock ?? systemClock;
    const log = (level: 'info' | 'warn' | 'error', reducer: string, message: string): void =>
      this.log.append({ ts: clock.nowMicros(), level, reducer, caller, message });
    const state = scheduleStateFile(path.join(deps.dir, 'schedules.json'), err =>
      this.#logger.warn('schedule state file', { database: caller, err }),
    );
    return new ScheduleRunner({
      schema: this.schema,
      clock,
      limits: {
        minIntervalMicros: BigInt(deps.config.scheduleMinIntervalMs) * 1000n,
        maxRows: deps.config.scheduleMaxRows,
      },
      state,
      submit: run => this.#submitScheduled(run),
      discard: (tableId, row) => {
        this.transact('schedule', this.info.identity, tx => tx.deleteRow(tableId, row)).catch(
          (err: unknown) => this.#logger.warn('could not remove a failed schedule', { err }),
        );
      },
      log,
    });
  }

  /**
   * Starts the scheduler (once the database serves: after init, a migration or a queue
   * hand-over). The rows are read and the listener attached in the same turn, so no commit
   * falls between them.
   */
  startSchedules(): void {
    if (this.#schedules === undefined || this.#schedulesStarted) return;
    this.#schedulesStarted = true;
    this.#schedules.start(tableId => this.read(tx => tx.scan(tableId)));
  }

  /** Stops the scheduler (before another LiveDatabase takes over this database). */
  stopSchedules(): void {
    this.#schedules?.stop();
  }

  #submitScheduled(run: DueRun): number {
    const { schedule } = run;
    const call: ExecutedCall = {
      id: nextCallId(),
      reducer: schedule.reducerName,
      reducerId: schedule.reducerId,
      args: run.row,
      sender: this.info.identity,
      connectionId: undefined,
      timestamp: run.timestamp,
      schedule: {
        tableId: schedule.tableId,
        indexId: schedule.primaryIndexId,
        key: run.key,
        once: run.once,
      },
    };
    this.executor.submit(call);
    return call.id;
  }

  #published(batch: PublishedBatch): void {
    this.#waiters.published(batch);
    if (this.#schedulesStarted) {
      try {
        this.#schedules?.published(batch);
      } catch (err) {
        this.#logger.error('scheduler failed on a batch', { err });
      }
    }
    for (const l of this.#listeners) {
      try {
        l(batch);
      } catch (err) {
        this.#logger.error('batch listener failed', { err });
      }
    }
    if (batch.calls.some(c => c.logs.length > 0 || c.status === 'failed')) {
      batch.durable.then(
        () => this.#writeLogs(batch.calls),
        () => this.#writeLogs(batch.calls),
      );
    }
  }

  #writeLogs(calls: readonly AppliedCall[]): void {
    for (const c of calls) {
      const { reducer } = c.call;
      const caller = c.call.sender.toHex();
      for (const line of c.logs) {
        const level = moduleLogLevel(line.level);
        this.log.append({ ts: line.ts, level, reducer, caller, message: line.message });
      }
      // The scheduler writes its own line for a failed scheduled run.
      const failure =
        c.status === 'failed' && c.call.schedule === undefined
          ? LOGGED_FAILURES[c.error.code]
          : undefined;
      if (c.status === 'failed' && failure !== undefined) {
        const [word, level] = failure;
        const message = `${reducer} ${word}: ${c.error.message}`;
        this.log.append({ ts: nowMicros(), level, reducer, caller, message });
      }
    }
  }

  submit(request: CallRequest): ExecutedCall {
    const call = this.#prepare(request);
    this.executor.submit(call);
    return call;
  }

  call(request: CallRequest): Promise<CallOutcome> {
    const call = this.#prepare(request);
    const outcome = this.#waiters.wait(call.id);
    try {
      this.executor.submit(call);
    } catch (err) {
      this.#waiters.cancel(call.id);
      return Promise.reject(err);
    }
    return outcome;
  }

  /** Checks the call (`prepareCall`) and gives it its id and timestamp. */
  #prepare(request: CallRequest): ExecutedCall {
    const allowLifecycle = request.allowLifecycle === true;
    const { reducer, args } = prepareCall(
      this.schema,
      request.reducer,
      request.args,
      allowLifecycle,
    );
    const who = { sender: request.sender, connectionId: request.connectionId };
    return this.#executed(reducer.name, reducer.id, args, who);
  }

  #executed(
    reducer: string,
    reducerId: number,
    args: Uint8Array,
    who: { sender: Identity; connectionId: ConnectionId | undefined },
  ): ExecutedCall {
    const connectionId = who.connectionId?.isZero() === true ? undefined : who.connectionId;
    const timestamp = nowMicros();
    return {
      id: nextCallId(),
      reducer,
      reducerId,
      args,
      sender: who.sender,
      connectionId,
      timestamp,
    };
  }

  read<T>(fn: (tx: ReturnType<DatabaseStore['read']>) => T): T {
    const tx = this.store.read();
    try {
      return fn(tx);
    } finally {
      tx.close();
    }
  }

  async readAsync<T>(fn: (tx: ReturnType<DatabaseStore['read']>) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      throw new WasmbaseError('UNAVAILABLE', 'the database is shutting down or being replaced');
    }
    const tx = this.store.read();
    const done = (async () => {
      try {
        return await fn(tx);
      } finally {
        tx.close();
      }
    })();
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.#slowReads.add(settled);
    void settled.then(() => this.#slowReads.delete(settled));
    return done;
  }

  transact<T>(
    label: string,
    sender: Identity,
    fn: Parameters<DatabaseHandle['transact']>[2],
  ): Promise<{ result: T; changes: CallChanges }> {
    const call = this.#executed(label, -1, new Uint8Array(0), { sender, connectionId: undefined });
    return this.executor.transact(call, fn) as Promise<{ result: T; changes: CallChanges }>;
  }

  onPublished(listener: (batch: PublishedBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.stopSchedules();
    this.#closing ??= Promise.all([...this.#slowReads]);
    await this.#closing;
    await this.executor.close();
    await this.store.close();
    this.log.close();
  }
}
