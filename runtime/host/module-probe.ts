/**
 * @module
 * The last check of a publish: instantiate the module once, in a reducer worker, with the real
 * host imports (no transaction open, so table access answers NOT_IN_CALL) and a memory of the
 * capped size, which runs its start function if it has one. No reducer runs. A module that
 * traps, fails to link or panics while starting is refused with MODULE_INVALID and the reason;
 * one whose start runs longer than the reducer time limit is stopped (its worker is
 * terminated, as for a runaway reducer) and refused too.
 *
 * The clock starts when a worker picks the probe up (through the same shared progress slots as
 * a batch), so time spent queued behind other databases' batches does not count.
 */
import { MODULE_LOG_LEVELS } from '../log/index.js';
import { WasmbaseError } from '../protocol/index.js';
import { PROGRESS } from './batch-types.js';
import { newCallState } from './host-imports.js';
import { instantiate } from './worker-cache.js';

export interface ProbeTask {
  readonly moduleBytes: SharedArrayBuffer;
  readonly memoryMinPages: number;
  readonly memoryMaxPages: number;
  readonly databaseIdentity: Uint8Array;
  /** Int32Array over this buffer, laid out as `PROGRESS` (CALL is 0 while starting). */
  readonly progress: SharedArrayBuffer;
}

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Runs inside a worker: instantiates the module and reports how that went. */
export function probeModule(task: ProbeTask): ProbeResult {
  const progress = new Int32Array(task.progress);
  const started = Date.now();
  Atomics.store(progress, PROGRESS.START_LO, (started % 0x100000000) | 0);
  Atomics.store(progress, PROGRESS.START_HI, Math.floor(started / 0x100000000));
  Atomics.store(progress, PROGRESS.CALL, 0);
  const state = newCallState(new Uint8Array(0));
  try {
    const module = new WebAssembly.Module(new Uint8Array(task.moduleBytes).slice());
    instantiate(module, task, state);
    return { ok: true };
  } catch (err) {
    const panic = state.logs.findLast(l => l.level === MODULE_LOG_LEVELS.panic)?.message;
    const what = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: panic === undefined ? what : `it panicked: ${panic}` };
  } finally {
    Atomics.store(progress, PROGRESS.CALL, -1);
  }
}

/** What `checkModuleStarts` needs of the worker pool. */
export interface ProbeRunner {
  probe(task: ProbeTask, signal: AbortSignal): Promise<ProbeResult>;
}

/**
 * Instantiates the module in a worker (see the module comment); throws MODULE_INVALID if it
 * cannot start, or runs longer than `timeoutMs` once started.
 */
export async function checkModuleStarts(
  pool: ProbeRunner,
  task: Omit<ProbeTask, 'progress'>,
  timeoutMs: number,
): Promise<void> {
  const progress = new SharedArrayBuffer(PROGRESS.LENGTH * 4);
  const view = new Int32Array(progress);
  Atomics.store(view, PROGRESS.CALL, -1);
  const abort = new AbortController();
  let timedOut = false;
  const watchdog = setInterval(
    () => {
      if (Atomics.load(view, PROGRESS.CALL) < 0) return;
      const hi = Atomics.load(view, PROGRESS.START_HI) >>> 0;
      const started = hi * 0x100000000 + (Atomics.load(view, PROGRESS.START_LO) >>> 0);
      if (Date.now() - started <= timeoutMs) return;
      timedOut = true;
      abort.abort();
    },
    Math.max(5, Math.min(50, Math.floor(timeoutMs / 4))),
  );
  let result: ProbeResult;
  try {
    result = await pool.probe({ ...task, progress }, abort.signal);
  } catch (err) {
    if (!timedOut) throw err;
    result = {
      ok: false,
      reason: `its start function ran longer than ${timeoutMs} ms (--reducer-timeout-ms)`,
    };
  } finally {
    clearInterval(watchdog);
  }
  if (!result.ok) {
    const problem = `the module cannot start: ${result.reason}`;
    throw new WasmbaseError('MODULE_INVALID', `module rejected: ${problem}`, {
      problems: [problem],
    });
  }
}
