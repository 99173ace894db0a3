/**
 * @module
 * The scheduler of one database: runs the reducers of its schedule tables when their rows fall
 * due, through the executor like any call (sender = the database's identity).
 *
 * - It reads every schedule row once at start, then follows the executor's published batches:
 *   an inserted row is armed, a deleted row is cancelled, an updated row is re-armed.
 * - One timer per database, set for the earliest due row (`DueQueue`); when it fires, every
 *   row due by then is submitted, in due order.
 * - `Time(t)` runs once at `t` (at once when `t` has passed). The worker deletes the row in the
 *   same transaction when the reducer succeeds; when it fails the row is deleted afterwards.
 * - `Interval(d)` first runs `d` after it was inserted, then `d` after each run started. A row
 *   never has two runs in flight, and an overdue row runs once, not once per missed interval.
 *   Last run times are kept in `ScheduleStateFile`, so after a restart a row that fell due
 *   while the server was down runs once at start (no burst) and the others wait out their
 *   interval.
 * - The worker skips a run whose row was deleted or changed after it was submitted
 *   (SCHEDULE_CANCELLED), so a delete always cancels.
 * - Limits: intervals shorter than `minIntervalMicros` run at that interval; rows beyond
 *   `maxRows` per database are not armed. Both, and every failed run, go to the module log.
 */
import {
  BsatnReader,
  BsatnWriter,
  decodeValue,
  type AlgebraicValue,
  type ModuleSchema,
  type ScheduleSchema,
  type SumValue,
} from '../protocol/index.js';
import type { AppliedCall, PublishedBatch } from './engine-types.js';
import type { ScheduleClock, ScheduleTimer } from './schedule-clock.js';
import { DueQueue, type DueItem } from './schedule-queue.js';
import type { LastRuns, ScheduleStateFile } from './schedule-state.js';

/** A run the scheduler asks for. */
export interface DueRun {
  readonly schedule: ScheduleSchema;
  /** The schedule row: the reducer's only argument. */
  readonly row: Uint8Array;
  /** BSATN of the row's u64 id (its primary key). */
  readonly key: Uint8Array;
  /** True for a `Time` schedule (its row is deleted once the reducer succeeds). */
  readonly once: boolean;
  readonly timestamp: bigint;
}

export interface ScheduleLimits {
  readonly minIntervalMicros: bigint;
  readonly maxRows: number;
}

export interface ScheduleRunnerDeps {
  readonly schema: ModuleSchema;
  readonly clock: ScheduleClock;
  readonly limits: ScheduleLimits;
  readonly state: ScheduleStateFile;
  /** Queues the run's call; returns its call id (throws when the database is shutting down). */
  readonly submit: (run: DueRun) => number;
  /** Deletes a used-up `Time` row whose run failed (byte-equal delete). */
  readonly discard: (tableId: number, row: Uint8Array) => void;
  /** A line for the module log. */
  readonly log: (level: 'info' | 'warn' | 'error', reducer: string, message: string) => void;
}

interface Entry {
  readonly schedule: ScheduleSchema;
  readonly key: string;
  readonly id: bigint;
  readonly row: Uint8Array;
  readonly once: boolean;
  /** The interval (clamped to the minimum), or the time of a `Time` schedule. */
  readonly micros: bigint;
  due: bigint;
  version: number;
  inFlight: number | undefined;
}

/** State is saved at most this often while runs happen (and always on stop). */
const SAVE_EVERY_MICROS = 1_000_000n;

function isSum(v: AlgebraicValue | undefined): v is SumValue {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function idBytes(id: bigint): Uint8Array {
  const w = new BsatnWriter(8);
  w.writeU64(id);
  return w.toBytes();
}

export class ScheduleRunner {
  readonly #d: ScheduleRunnerDeps;
  readonly #byTable = new Map<number, ScheduleSchema>();
  readonly #entries = new Map<string, Entry>();
  readonly #calls = new Map<number, string>();
  readonly #queue = new DueQueue();
  #lastRuns: LastRuns = new Map();
  #timer: { readonly timer: ScheduleTimer; readonly due: bigint } | undefined;
  #dirtySince: bigint | undefined;
  #stopped = false;
  #overLimit = false;

  constructor(deps: ScheduleRunnerDeps) {
    this.#d = deps;
    for (const s of deps.schema.schedules) this.#byTable.set(s.tableId, s);
  }

  /** Number of armed schedule rows. */
  get size(): number {
    return this.#entries.size;
  }

  /** The earliest due time among armed rows not running now, if any. */
  get nextDue(): bigint | undefined {
    return this.#queue.peek(item => this.#isLive(item))?.due;
  }

  /** Arms every row `rows` returns (the state as of now), then runs whatever is due. */
  start(rows: (tableId: number) => readonly Uint8Array[]): void {
    this.#lastRuns = this.#d.state.load();
    const seen = new Set<string>();
    for (const s of this.#byTable.values()) {
      for (const row of rows(s.tableId)) seen.add(this.#arm(s, row, undefined, true));
    }
    for (const key of this.#lastRuns.keys()) if (!seen.has(key)) this.#lastRuns.delete(key);
    this.#markDirty();
    this.#rearm();
  }

  /** Stops the timer and saves the last run times; later batches are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.timer.cancel();
    this.#timer = undefined;
    this.#queue.clear();
    if (this.#dirtySince !== undefined) this.#d.state.save(this.#lastRuns);
  }

  /** Follows one published batch: the scheduler's own outcomes and every schedule change. */
  published(batch: PublishedBatch): void {
    if (this.#stopped) return;
    for (const c of batch.calls) {
      if (c.status === 'committed') this.#applyChanges(c);
      const key = this.#calls.get(c.call.id);
      if (key !== undefined) this.#finished(c, key);
    }
    this.#rearm();
  }

  #applyChanges(c: Extract<AppliedCall, { status: 'committed' }>): void {
    for (const t of c.changes) {
      const s = this.#byTable.get(t.tableId);
      if (s === undefined) continue;
      const removed = new Map<string, Entry>();
      for (const row of t.deletes) {
        const key = this.#keyOf(s, this.#decode(s, row).id);
        const entry = this.#entries.get(key);
        if (entry === undefined) continue;
        removed.set(key, entry);
        this.#entries.delete(key);
      }
      for (const row of t.inserts) {
        const key = this.#keyOf(s, this.#decode(s, row).id);
        this.#arm(s, row, removed.get(key), false);
        removed.delete(key);
      }
      for (const key of removed.keys()) {
        this.#lastRuns.delete(key);
        this.#markDirty();
      }
    }
  }

  #finished(c: AppliedCall, key: string): void {
    this.#calls.delete(c.call.id);
    const entry = this.#entries.get(key);
    if (c.status === 'failed' && c.error.code !== 'SCHEDULE_CANCELLED') {
      const what = entry?.once === false ? 'it runs again at its next interval' : 'it is removed';
      this.#d.log(
        'error',
        c.call.reducer,
        `scheduled run of ${c.call.reducer} (${key}) failed with ${c.error.code}: ` +
          `${c.error.message}; ${what}`,
      );
    }
    if (entry === undefined || entry.inFlight !== c.call.id) return;
    entry.inFlight = undefined;
    if (entry.once && c.status === 'failed' && c.error.code !== 'SCHEDULE_CANCELLED') {
      this.#d.discard(entry.schedule.tableId, entry.row);
      return;
    }
    this.#push(entry);
  }

  #keyOf(s: ScheduleSchema, id: bigint): string {
    return `${s.tableName}:${id}`;
  }

  /** The row's id and its ScheduleAt as (once, micros); the schema guarantees the shapes. */
  #decode(s: ScheduleSchema, row: Uint8Array): { id: bigint; once: boolean; micros: bigint } {
    const type = this.#d.schema.tables[s.tableId]!.rowType;
    const cols = decodeValue(new BsatnReader(row), { tag: 'Product', elements: type.elements });
    const id = Array.isArray(cols) ? cols[s.idColumn] : undefined;
    const at: AlgebraicValue | undefined = Array.isArray(cols) ? cols[s.scheduledAtColumn] : 0;
    const payload = isSum(at) && Array.isArray(at.value) ? at.value[0] : undefined;
    if (typeof id !== 'bigint' || !isSum(at) || typeof payload !== 'bigint')
      throw new Error(`schedule row of ${s.tableName} does not match its schema`);
    return { id, once: at.tag === 1, micros: payload };
  }

  /** Arms (or re-arms) one row; returns its key. `previous` is the entry it replaces. */
  #arm(s: ScheduleSchema, row: Uint8Array, previous: Entry | undefined, atStart: boolean): string {
    const { id, once, micros: raw } = this.#decode(s, row);
    const key = this.#keyOf(s, id);
    const old = previous ?? this.#entries.get(key);
    if (old === undefined && this.#entries.size >= this.#d.limits.maxRows) {
      if (!this.#overLimit)
        this.#d.log(
          'warn',
          s.reducerName,
          `more than ${this.#d.limits.maxRows} schedule rows (--schedule-max-rows): ` +
            `${key} and later rows are not armed until others are deleted`,
        );
      this.#overLimit = true;
      return key;
    }
    const micros = once ? raw : this.#clampInterval(s, key, raw);
    const now = this.#d.clock.nowMicros();
    let due: bigint;
    if (once) due = micros;
    else if (old !== undefined && !old.once && old.micros === micros) due = old.due;
    else if (atStart) {
      const last = this.#lastRuns.get(key);
      due = last === undefined || last + micros < now ? now : last + micros;
    } else {
      due = now + micros;
      this.#lastRuns.set(key, now);
      this.#markDirty();
    }
    const entry: Entry = {
      schedule: s,
      key,
      id,
      row,
      once,
      micros,
      due,
      version: (old?.version ?? 0) + 1,
      inFlight: old?.inFlight,
    };
    this.#entries.set(key, entry);
    this.#push(entry);
    return key;
  }

  #clampInterval(s: ScheduleSchema, key: string, micros: bigint): bigint {
    const min = this.#d.limits.minIntervalMicros;
    if (micros >= min) return micros;
    this.#d.log(
      'warn',
      s.reducerName,
      `${key}: interval of ${micros} µs is below the minimum (--schedule-min-interval-ms); ` +
        `it runs every ${min} µs`,
    );
    return min;
  }

  #push(entry: Entry): void {
    entry.version++;
    this.#queue.push(entry.due, entry.key, entry.version);
  }

  #isLive(item: DueItem): boolean {
    const e = this.#entries.get(item.key);
    return e !== undefined && e.version === item.version && e.inFlight === undefined;
  }

  #rearm(): void {
    if (this.#stopped) return;
    const next = this.nextDue;
    if (this.#timer !== undefined && this.#timer.due === next) return;
    this.#timer?.timer.cancel();
    this.#timer = undefined;
    if (next === undefined) return;
    const delayMs = Number(next - this.#d.clock.nowMicros()) / 1000;
    const timer = this.#d.clock.setTimer(Math.max(0, Math.ceil(delayMs)), () => {
      if (this.#timer?.timer === timer) this.#timer = undefined;
      this.#runDue();
    });
    this.#timer = { timer, due: next };
  }

  #runDue(): void {
    if (this.#stopped) return;
    const now = this.#d.clock.nowMicros();
    for (;;) {
      const item = this.#queue.peek(i => this.#isLive(i));
      if (item === undefined || item.due > now) break;
      this.#queue.pop();
      if (!this.#dispatch(this.#entries.get(item.key)!, now)) return;
    }
    if (this.#dirtySince !== undefined && now - this.#dirtySince >= SAVE_EVERY_MICROS) {
      this.#d.state.save(this.#lastRuns);
      this.#dirtySince = undefined;
    }
    this.#rearm();
  }

  /** Submits one run; false when the database no longer takes calls. */
  #dispatch(entry: Entry, now: bigint): boolean {
    const run: DueRun = {
      schedule: entry.schedule,
      row: entry.row,
      key: idBytes(entry.id),
      once: entry.once,
      timestamp: now,
    };
    let callId: number;
    try {
      callId = this.#d.submit(run);
    } catch {
      this.stop();
      return false;
    }
    entry.inFlight = callId;
    this.#calls.set(callId, entry.key);
    if (!entry.once) {
      entry.due = now + entry.micros;
      this.#lastRuns.set(entry.key, now);
      this.#markDirty();
    }
    return true;
  }

  #markDirty(): void {
    this.#dirtySince ??= this.#d.clock.nowMicros();
  }
}
