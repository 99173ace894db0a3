/**
 * @module
 * The messages between the executor (main thread) and the reducer workers.
 */
import { BsatnReader, type BsatnWriter } from '../protocol/index.js';
import type { CallChanges, TableChanges, WriteSet } from '../store/index.js';

/** Slots of the shared progress array a worker updates while it runs a batch. */
export const PROGRESS = {
  /** Index of the call running now, or -1 between calls. */
  CALL: 0,
  /** Low and high 32 bits of Date.now() when that call started. */
  START_LO: 1,
  START_HI: 2,
  LENGTH: 4,
} as const;

/**
 * What makes a call a scheduled run: the worker runs it only while the schedule row (found by
 * its primary key) is still byte-equal to the arguments, and for a one-time schedule deletes
 * that row in the same transaction when the reducer succeeds.
 */
export interface ScheduledRun {
  readonly tableId: number;
  /** The schedule table's primary-key index, and the row's key in it (BSATN u64). */
  readonly indexId: number;
  readonly key: Uint8Array;
  /** True for `ScheduleAt.Time`: the row is deleted once the reducer succeeds. */
  readonly once: boolean;
}

export interface BatchCall {
  readonly reducerId: number;
  readonly args: Uint8Array;
  /** Set for calls made by the scheduler. */
  readonly schedule?: ScheduledRun | undefined;
  /** 32 bytes, little-endian. */
  readonly sender: Uint8Array;
  /** 16 bytes, little-endian; all zero = none. */
  readonly connectionId: Uint8Array;
  readonly timestamp: bigint;
}

export interface BatchTask {
  readonly databasePath: string;
  readonly databaseIdentity: Uint8Array;
  readonly moduleHash: string;
  /** The module's bytes, shared (not copied) with every worker. */
  readonly moduleBytes: SharedArrayBuffer;
  readonly schemaJson: string;
  readonly memoryMinPages: number;
  readonly memoryMaxPages: number;
  /** Elements of the module's tables (for the worker cache's size estimate). */
  readonly tableElements: number;
  /** Writes of the previous batch, which may still be committing: run on top of them. */
  readonly base: WriteSet | undefined;
  /** The calls, packed by `packCalls` (one buffer instead of thousands of small objects). */
  readonly calls: Uint8Array;
  /** Int32Array over this buffer, laid out as `PROGRESS`. */
  readonly progress: SharedArrayBuffer;
}

export interface CallLogLine {
  readonly ts: bigint;
  readonly level: number;
  readonly message: string;
}

export type CallResult =
  | {
      readonly status: 'committed';
      /** This call's changes inside `BatchResult.changes` (see `packChanges`). */
      readonly changesAt: readonly [start: number, end: number];
      readonly durationMicros: number;
      readonly logs: readonly CallLogLine[];
    }
  | {
      /** `cancelled`: a scheduled run whose row was deleted or changed; the reducer did not run. */
      readonly status: 'failed' | 'trapped' | 'out_of_memory' | 'cancelled';
      readonly message: string;
      readonly durationMicros: number;
      readonly logs: readonly CallLogLine[];
    };

export interface BatchResult {
  readonly writeSet: WriteSet;
  readonly results: readonly CallResult[];
  /** The changes of every committed call, packed one after another. */
  readonly changes: Uint8Array;
}

/**
 * Appends one call's changes: `[tables u32]` then per table `[id u32][n u32][len u32 row]…` for
 * inserts, then deletes.
 */
export function packChanges(w: BsatnWriter, changes: CallChanges): void {
  w.writeU32(changes.length);
  for (const t of changes) {
    w.writeU32(t.tableId);
    for (const rows of [t.inserts, t.deletes]) {
      w.writeU32(rows.length);
      for (const row of rows) w.writeBytes(row);
    }
  }
}

/** Reads one call's changes; the rows are views into `bytes`. */
export function unpackChanges(bytes: Uint8Array): CallChanges {
  const r = new BsatnReader(bytes);
  const out: TableChanges[] = [];
  for (let n = r.readU32(), i = 0; i < n; i++) {
    const tableId = r.readU32();
    const lists: Uint8Array[][] = [[], []];
    for (const list of lists)
      for (let k = r.readU32(), j = 0; j < k; j++) list.push(r.readRawView(r.readU32()));
    out.push({ tableId, inserts: lists[0]!, deletes: lists[1]! });
  }
  return out;
}

/** Bytes of a call's schedule part: `[index i32]`, then `[table u32][once u32][len u32][key]`. */
function scheduleSize(s: ScheduledRun | undefined): number {
  return s === undefined ? 4 : 16 + s.key.length;
}

/**
 * Packs calls as `[reducer u32][timestamp i64][sender 32][connection 16][args len u32][args]`
 * followed by the schedule part (`scheduleSize`), one after another.
 */
export function packCalls(calls: readonly BatchCall[]): Uint8Array {
  let size = 4;
  for (const c of calls) size += 64 + c.args.length + scheduleSize(c.schedule);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, calls.length, true);
  let at = 4;
  for (const c of calls) {
    view.setUint32(at, c.reducerId, true);
    view.setBigInt64(at + 4, c.timestamp, true);
    out.set(c.sender, at + 12);
    out.set(c.connectionId, at + 44);
    view.setUint32(at + 60, c.args.length, true);
    out.set(c.args, at + 64);
    at += 64 + c.args.length;
    const s = c.schedule;
    view.setInt32(at, s === undefined ? -1 : s.indexId, true);
    if (s !== undefined) {
      view.setUint32(at + 4, s.tableId, true);
      view.setUint32(at + 8, s.once ? 1 : 0, true);
      view.setUint32(at + 12, s.key.length, true);
      out.set(s.key, at + 16);
    }
    at += scheduleSize(s);
  }
  return out;
}

/** The calls of a packed buffer; their byte fields are views into it. */
export function unpackCalls(packed: Uint8Array): BatchCall[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = view.getUint32(0, true);
  const out: BatchCall[] = [];
  let at = 4;
  for (let i = 0; i < n; i++) {
    const len = view.getUint32(at + 60, true);
    const base = {
      reducerId: view.getUint32(at, true),
      timestamp: view.getBigInt64(at + 4, true),
      sender: packed.subarray(at + 12, at + 44),
      connectionId: packed.subarray(at + 44, at + 60),
      args: packed.subarray(at + 64, at + 64 + len),
    };
    at += 64 + len;
    const indexId = view.getInt32(at, true);
    if (indexId < 0) {
      out.push(base);
      at += 4;
      continue;
    }
    const keyLen = view.getUint32(at + 12, true);
    const schedule: ScheduledRun = {
      indexId,
      tableId: view.getUint32(at + 4, true),
      once: view.getUint32(at + 8, true) === 1,
      key: packed.subarray(at + 16, at + 16 + keyLen),
    };
    out.push({ ...base, schedule });
    at += 16 + keyLen;
  }
  return out;
}
