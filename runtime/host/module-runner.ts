/**
 * @module
 * Runs batches of reducer calls against module instances, inside a worker thread. Store
 * handles, compiled modules and instances come from the worker's `WorkerCache` (bounded by a
 * byte budget, enforced after every batch); an instance that trapped is dropped and recreated
 * on the next call.
 */
import { MODULE_LOG_LEVELS } from '../log/index.js';
import type { BatchTx } from '../store/index.js';
import { BsatnWriter } from '../protocol/index.js';
import {
  packChanges,
  PROGRESS,
  unpackCalls,
  type BatchCall,
  type BatchResult,
  type BatchTask,
  type CallResult,
} from './batch-types.js';
import { newCallState, type CallState } from './host-imports.js';
import type { LiveInstance, WorkerCache } from './worker-cache.js';

const scratch = new DataView(new ArrayBuffer(48));
const scratchBytes = new Uint8Array(scratch.buffer);

/** The sender (32 bytes) and connection id (16 bytes) as the six i64 words of the ABI. */
function callWords(sender: Uint8Array, connection: Uint8Array): bigint[] {
  scratchBytes.set(sender, 0);
  scratchBytes.set(connection, 32);
  return [0, 8, 16, 24, 32, 40].map(at => scratch.getBigInt64(at, true));
}

/**
 * True when a trap most likely came from memory exhaustion: the AssemblyScript allocator traps
 * (`unreachable`) when `memory.grow` fails, which happens once the memory is close enough to its
 * maximum that the next request does not fit (within 2 MiB or an eighth of the maximum).
 */
function nearMemoryLimit(memory: WebAssembly.Memory, maxPages: number): boolean {
  const max = maxPages * 65536;
  return memory.buffer.byteLength + Math.max(2 * 1024 * 1024, max / 8) >= max;
}

/** The outcome of a call that trapped: out of memory, a panic (abort's log line), or a trap. */
function trapOutcome(
  err: unknown,
  cache: WorkerCache,
  task: BatchTask,
  live: LiveInstance | undefined,
  state: CallState,
  durationMicros: number,
): CallResult {
  const oom = live !== undefined && nearMemoryLimit(live.memory, task.memoryMaxPages);
  cache.dropInstance(task);
  const panic = state.logs.findLast(l => l.level === MODULE_LOG_LEVELS.panic)?.message;
  const what = err instanceof Error ? err.message : String(err);
  const message = oom
    ? `the reducer ran out of memory (limit ${task.memoryMaxPages * 64} KiB)`
    : panic !== undefined
      ? `the reducer panicked: ${panic}`
      : `the reducer trapped: ${what}`;
  return { status: oom ? 'out_of_memory' : 'trapped', message, durationMicros, logs: state.logs };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** False when a scheduled run's row was deleted or changed since the scheduler saw it. */
function scheduleStillHolds(tx: BatchTx, c: BatchCall): boolean {
  if (c.schedule === undefined) return true;
  const row = tx.findUnique(c.schedule.indexId, c.schedule.key);
  return row !== undefined && sameBytes(row, c.args);
}

const CANCELLED: CallResult = {
  status: 'cancelled',
  message: 'the schedule row was deleted or changed before it was due',
  durationMicros: 0,
  logs: [],
};

/** Runs one call in its own overlay of the batch; a committed call's changes go to `changes`. */
function runCall(
  cache: WorkerCache,
  task: BatchTask,
  tx: BatchTx,
  c: BatchCall,
  changes: BsatnWriter,
): CallResult {
  if (!scheduleStillHolds(tx, c)) return CANCELLED;
  const t0 = performance.now();
  const micros = () => Math.round((performance.now() - t0) * 1000);
  const state = newCallState(c.args);
  let live: LiveInstance | undefined;
  tx.beginCall();
  try {
    live = cache.instance(task);
    live.session.tx = tx;
    live.session.call = state;
    const [s0, s1, s2, s3, c0, c1] = callWords(c.sender, c.connectionId);
    const rc = live.callReducer(c.reducerId, s0, s1, s2, s3, c0, c1, c.timestamp, c.args.length);
    const durationMicros = micros();
    if (rc === 0) {
      // A one-time schedule is used up: its row goes in the same transaction (unless the
      // reducer changed it, which re-arms it).
      if (c.schedule?.once === true) tx.deleteRow(c.schedule.tableId, c.args);
      const start = changes.length;
      packChanges(changes, tx.commitCall());
      const changesAt = [start, changes.length] as const;
      return { status: 'committed', changesAt, durationMicros, logs: state.logs };
    }
    tx.rollbackCall();
    const message =
      rc === 1
        ? (state.error ?? 'the reducer failed without a message')
        : `the reducer returned error code ${rc}`;
    return { status: 'failed', message, durationMicros, logs: state.logs };
  } catch (err) {
    tx.rollbackCall();
    return trapOutcome(err, cache, task, live, state, micros());
  } finally {
    if (live !== undefined) {
      live.session.tx = undefined;
      live.session.call = undefined;
    }
    if (state.droppedLogs > 0)
      state.logs.push({
        ts: BigInt(Date.now()) * 1000n,
        level: MODULE_LOG_LEVELS.warn,
        message: `${state.droppedLogs} more log lines of this call were dropped`,
      });
  }
}

/** Runs every call of the batch; returns the kept writes and one result per call. */
export function runBatch(cache: WorkerCache, task: BatchTask): BatchResult {
  const progress = new Int32Array(task.progress);
  const tx = cache.store(task).beginBatch(task.base);
  const results: CallResult[] = [];
  const changes = new BsatnWriter(4096);
  try {
    const calls = unpackCalls(task.calls);
    for (let i = 0; i < calls.length; i++) {
      const started = Date.now();
      Atomics.store(progress, PROGRESS.START_LO, (started % 0x100000000) | 0);
      Atomics.store(progress, PROGRESS.START_HI, Math.floor(started / 0x100000000));
      Atomics.store(progress, PROGRESS.CALL, i);
      results.push(runCall(cache, task, tx, calls[i]!, changes));
    }
    Atomics.store(progress, PROGRESS.CALL, -1);
    return { writeSet: tx.finish(), results, changes: changes.toBytes() };
  } catch (err) {
    tx.abandon();
    throw err;
  } finally {
    cache.settle(task);
  }
}
