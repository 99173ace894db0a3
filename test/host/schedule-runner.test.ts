/**
 * The scheduler alone, on a manual clock: the test plays the executor (it records submitted
 * runs and publishes their outcomes and the commits that change schedule rows).
 */
import { describe, expect, it } from 'vitest';
import type { AppliedCall, ExecutedCall } from '../../runtime/host/engine-types.js';
import { validateModule } from '../../runtime/host/module-validate.js';
import { ScheduleRunner, type DueRun } from '../../runtime/host/schedule-runner.js';
import { memoryScheduleState, type LastRuns } from '../../runtime/host/schedule-state.js';
import { encodeToBytes, Identity, WasmbaseError } from '../../runtime/protocol/index.js';
import { ManualClock } from '../helpers/schedule-clock.js';
import { moduleBytes } from '../helpers/modules.js';

const schema = validateModule(moduleBytes('fixtures/schedule'), Number.MAX_SAFE_INTEGER).schema;
const table = schema.tableByName('tick_schedule')!;
const rowType = { tag: 'Product', elements: table.rowType.elements } as const;
const MS = 1000n;

function timeRow(id: bigint, atMicros: bigint, label = ''): Uint8Array {
  return encodeToBytes(rowType, [id, { tag: 1, value: [atMicros] }, label]);
}
function intervalRow(id: bigint, micros: bigint, label = ''): Uint8Array {
  return encodeToBytes(rowType, [id, { tag: 0, value: [micros] }, label]);
}

let nextId = 1_000_000;
function executed(reducerId = -1): ExecutedCall {
  return {
    id: nextId++,
    reducer: 'x',
    reducerId,
    args: new Uint8Array(0),
    sender: Identity.ZERO,
    connectionId: undefined,
    timestamp: 0n,
  };
}

function harness(options: { lastRuns?: LastRuns; minMs?: number; maxRows?: number } = {}) {
  const clock = new ManualClock();
  const runs: (DueRun & { callId: number })[] = [];
  const discarded: Uint8Array[] = [];
  const logs: { level: string; reducer: string; message: string }[] = [];
  const state = memoryScheduleState(options.lastRuns);
  const runner = new ScheduleRunner({
    schema,
    clock,
    limits: {
      minIntervalMicros: BigInt(options.minMs ?? 1) * MS,
      maxRows: options.maxRows ?? 1000,
    },
    state,
    submit: run => {
      const callId = nextId++;
      runs.push({ ...run, callId });
      return callId;
    },
    discard: (_t, row) => discarded.push(row),
    log: (level, reducer, message) => logs.push({ level, reducer, message }),
  });
  const commit = (inserts: Uint8Array[], deletes: Uint8Array[] = [], call = executed()) => {
    const applied: AppliedCall = {
      status: 'committed',
      call,
      changes: [{ tableId: table.id, inserts, deletes }],
      durationMicros: 0,
      logs: [],
    };
    runner.published({ calls: [applied], durable: Promise.resolve() });
  };
  const outcome = (
    run: { callId: number },
    failure?: WasmbaseError,
    deletes: Uint8Array[] = [],
  ) => {
    const call = { ...executed(0), id: run.callId };
    if (failure === undefined) return commit([], deletes, call);
    const applied: AppliedCall = {
      status: 'failed',
      call,
      error: failure,
      durationMicros: 0,
      logs: [],
    };
    runner.published({ calls: [applied], durable: Promise.resolve() });
  };
  const labels = () => runs.map(r => r.row);
  return { clock, runner, runs, discarded, logs, state, commit, outcome, labels };
}

describe('ScheduleRunner', () => {
  it('runs time schedules in due order, with one timer for the database', () => {
    const h = harness();
    h.runner.start(() => []);
    const now = h.clock.nowMicros();
    const rows = [
      timeRow(1n, now + 300n * MS),
      timeRow(2n, now + 100n * MS),
      timeRow(3n, now + 200n * MS),
    ];
    h.commit(rows);
    expect(h.clock.pendingTimers).toBe(1);
    h.clock.advance(99);
    expect(h.runs).toHaveLength(0);
    h.clock.advance(1);
    expect(h.runs.map(r => r.row)).toEqual([rows[1]]);
    expect(h.runs[0]!.once).toBe(true);
    expect(h.runs[0]!.timestamp).toBe(now + 100n * MS);
    h.clock.advance(500);
    expect(h.runs.map(r => r.row)).toEqual([rows[1], rows[2], rows[0]]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('runs a time schedule once: its committed run deletes it', () => {
    const h = harness();
    h.runner.start(() => []);
    const row = timeRow(7n, h.clock.nowMicros() + 10n * MS);
    h.commit([row]);
    h.clock.advance(10);
    expect(h.runs).toHaveLength(1);
    h.outcome(h.runs[0]!, undefined, [row]);
    h.clock.advance(100_000);
    expect(h.runs).toHaveLength(1);
    expect(h.runner.size).toBe(0);
  });

  it('cancels a schedule whose row is deleted', () => {
    const h = harness();
    h.runner.start(() => []);
    const row = timeRow(1n, h.clock.nowMicros() + 50n * MS);
    const other = intervalRow(2n, 20n * MS);
    h.commit([row, other]);
    h.commit([], [row, other]);
    h.clock.advance(1000);
    expect(h.runs).toHaveLength(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('re-arms an updated row: a new time replaces the old one', () => {
    const h = harness();
    h.runner.start(() => []);
    const now = h.clock.nowMicros();
    const old = timeRow(1n, now + 50n * MS);
    const moved = timeRow(1n, now + 500n * MS);
    h.commit([old]);
    h.commit([moved], [old]);
    h.clock.advance(499);
    expect(h.runs).toHaveLength(0);
    h.clock.advance(1);
    expect(h.runs.map(r => r.row)).toEqual([moved]);
  });

  it('repeats an interval from its last run, never with two runs in flight', () => {
    const h = harness();
    h.runner.start(() => []);
    const row = intervalRow(1n, 100n * MS);
    h.commit([row]);
    h.clock.advance(99);
    expect(h.runs).toHaveLength(0);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!.once).toBe(false);
    // The run is still in flight after three more intervals: nothing else starts.
    h.clock.advance(300);
    expect(h.runs).toHaveLength(1);
    // It finishes late: the overdue interval runs once, at once, not three times.
    h.outcome(h.runs[0]!);
    h.clock.advance(0);
    expect(h.runs).toHaveLength(2);
    h.outcome(h.runs[1]!);
    h.clock.advance(99);
    expect(h.runs).toHaveLength(2);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(3);
    expect(h.runs[2]!.timestamp - h.runs[1]!.timestamp).toBe(100n * MS);
  });

  it('after downtime runs an overdue interval once at start, then every interval', () => {
    const start = new ManualClock().nowMicros();
    const lastRuns: LastRuns = new Map([['tick_schedule:1', start - 1000n * MS]]);
    const h = harness({ lastRuns });
    const row = intervalRow(1n, 100n * MS);
    h.runner.start(() => [row]);
    h.clock.advance(0);
    expect(h.runs).toHaveLength(1);
    h.outcome(h.runs[0]!);
    h.clock.advance(99);
    expect(h.runs).toHaveLength(1);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(2);
  });

  it('after a short downtime waits out the rest of the interval', () => {
    const start = new ManualClock().nowMicros();
    const lastRuns: LastRuns = new Map([['tick_schedule:1', start - 40n * MS]]);
    const h = harness({ lastRuns });
    h.runner.start(() => [intervalRow(1n, 100n * MS)]);
    h.clock.advance(59);
    expect(h.runs).toHaveLength(0);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(1);
  });

  it('keeps last run times in its state file across a stop and start', () => {
    const h = harness();
    h.runner.start(() => []);
    h.commit([intervalRow(1n, 100n * MS)]);
    h.clock.advance(100);
    h.runner.stop();
    const saved = h.state.load();
    expect(saved.get('tick_schedule:1')).toBe(h.runs[0]!.timestamp);
  });

  it('logs a failed run and removes a failed time row; an interval keeps running', () => {
    const h = harness();
    h.runner.start(() => []);
    const once = timeRow(1n, h.clock.nowMicros());
    const every = intervalRow(2n, 10n * MS);
    h.commit([once, every]);
    h.clock.advance(10);
    expect(h.runs).toHaveLength(2);
    const failure = new WasmbaseError('REDUCER_FAILED', 'nope');
    h.outcome(h.runs[0]!, failure);
    h.outcome(h.runs[1]!, failure);
    expect(h.discarded).toEqual([once]);
    expect(h.logs.filter(l => l.level === 'error')).toHaveLength(2);
    expect(h.logs[0]!.message).toContain('REDUCER_FAILED');
    h.clock.advance(10);
    expect(h.runs).toHaveLength(3);
    expect(h.runs[2]!.row).toEqual(every);
  });

  it('does not log a run the worker skipped because its row changed', () => {
    const h = harness();
    h.runner.start(() => []);
    h.commit([timeRow(1n, h.clock.nowMicros())]);
    h.clock.advance(0);
    h.outcome(h.runs[0]!, new WasmbaseError('SCHEDULE_CANCELLED', 'gone'));
    expect(h.logs).toEqual([]);
    expect(h.discarded).toEqual([]);
  });

  it('raises intervals below the minimum, and says so in the module log', () => {
    const h = harness({ minMs: 50 });
    h.runner.start(() => []);
    h.commit([intervalRow(1n, 1n * MS)]);
    expect(h.logs[0]!.level).toBe('warn');
    h.clock.advance(49);
    expect(h.runs).toHaveLength(0);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(1);
  });

  it('arms at most maxRows rows', () => {
    const h = harness({ maxRows: 2 });
    h.runner.start(() => []);
    const now = h.clock.nowMicros();
    h.commit([1n, 2n, 3n].map(id => timeRow(id, now)));
    expect(h.runner.size).toBe(2);
    expect(h.logs.some(l => l.message.includes('--schedule-max-rows'))).toBe(true);
    h.clock.advance(1);
    expect(h.runs).toHaveLength(2);
  });
});
