/**
 * @module
 * The `wasmbase_v1` host functions, implemented over a `BatchTx` and the instance's memory.
 * One `HostSession` lives as long as a module instance; each reducer call sets `call` and the
 * batch sets `tx`. Host functions never throw into the guest: failures become errnos (and an
 * explanation for `error_read_last`), except real host bugs, which trap the call.
 */
import { WasmbaseError } from '../protocol/index.js';
import type { BatchTx, IndexRange, KeyBound } from '../store/index.js';
import { ERRNO, errnoFor } from './abi.js';
import type { CallLogLine } from './batch-types.js';
import { Errno, GuestMemory } from './guest-memory.js';

/** Log lines one call may write before the rest are dropped. */
export const MAX_LOG_LINES_PER_CALL = 1000;
/** Longest log line or error message kept, in bytes. */
export const MAX_MESSAGE_BYTES = 4096;
/** Open iterators one call may hold. */
export const MAX_OPEN_ITERATORS = 64;

export interface CallState {
  readonly args: Uint8Array;
  error: string | undefined;
  readonly logs: CallLogLine[];
  droppedLogs: number;
  lastError: string | undefined;
  readonly iterators: Map<number, { rows: Uint8Array[]; pos: number }>;
  nextIterator: number;
}

export interface HostSession {
  tx: BatchTx | undefined;
  call: CallState | undefined;
  describe: string | undefined;
  readonly databaseIdentity: Uint8Array;
}

export function newCallState(args: Uint8Array): CallState {
  return {
    args,
    error: undefined,
    logs: [],
    droppedLogs: 0,
    lastError: undefined,
    iterators: new Map(),
    nextIterator: 1,
  };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_BYTES ? text.slice(0, MAX_MESSAGE_BYTES) + '…' : text;
}

function bound(bytes: Uint8Array): KeyBound {
  if (bytes.length === 0) throw new Errno(ERRNO.BSATN_DECODE_ERROR);
  const tag = bytes[0];
  if (tag === 2) return { kind: 'unbounded' };
  if (tag === 0) return { kind: 'included', value: bytes.subarray(1) };
  if (tag === 1) return { kind: 'excluded', value: bytes.subarray(1) };
  throw new Errno(ERRNO.BSATN_DECODE_ERROR);
}

/** Builds the import object for one instance. */
export function createHostImports(
  session: HostSession,
  memory: WebAssembly.Memory,
): Record<string, unknown> {
  const mem = new GuestMemory(memory);

  const call = (): CallState => {
    if (session.call === undefined) throw new Errno(ERRNO.NOT_IN_CALL);
    return session.call;
  };
  const tx = (): BatchTx => {
    if (session.tx === undefined || session.call === undefined) throw new Errno(ERRNO.NOT_IN_CALL);
    return session.tx;
  };

  /** Runs a host function body: errnos and store errors become return codes. */
  const guard = (fn: () => number | void): number => {
    try {
      return fn() ?? ERRNO.OK;
    } catch (err) {
      if (err instanceof Errno) return err.errno;
      if (err instanceof WasmbaseError) {
        if (session.call !== undefined) session.call.lastError = clip(err.message);
        return errnoFor(err);
      }
      throw err;
    }
  };

  const openIterator = (rows: Uint8Array[], outPtr: number): void => {
    const c = call();
    if (c.iterators.size >= MAX_OPEN_ITERATORS) {
      c.lastError = `a call may hold at most ${MAX_OPEN_ITERATORS} open iterators`;
      throw new Errno(ERRNO.LIMIT_EXCEEDED);
    }
    const id = c.nextIterator++;
    c.iterators.set(id, { rows, pos: 0 });
    mem.writeU32(outPtr, id);
  };

  const range = (
    prefixPtr: number,
    prefixLen: number,
    prefixElems: number,
    startPtr: number,
    startLen: number,
    endPtr: number,
    endLen: number,
  ): IndexRange => ({
    prefix: mem.copy(prefixPtr, prefixLen),
    prefixElems,
    start: bound(mem.copy(startPtr, startLen)),
    end: bound(mem.copy(endPtr, endLen)),
  });

  const host = {
    memory,
    reducer_read_args: (dst: number) =>
      guard(() => {
        const c = call();
        mem.write(dst, c.args);
      }),
    reducer_set_error: (ptr: number, len: number) =>
      guard(() => {
        call().error = clip(mem.text(ptr, Math.min(len >>> 0, MAX_MESSAGE_BYTES * 4)));
      }),
    module_write_describe: (ptr: number, len: number) =>
      guard(() => {
        session.describe = mem.text(ptr, len);
      }),
    database_read_identity: (out: number) => guard(() => mem.write(out, session.databaseIdentity)),
    log_write: (level: number, ptr: number, len: number) =>
      guard(() => {
        const c = call();
        if (c.logs.length >= MAX_LOG_LINES_PER_CALL) {
          c.droppedLogs++;
          return;
        }
        c.logs.push({
          ts: BigInt(Date.now()) * 1000n,
          level,
          message: clip(mem.text(ptr, Math.min(len >>> 0, MAX_MESSAGE_BYTES * 4))),
        });
      }),
    error_read_last: (buf: number, cap: number, outLen: number) =>
      guard(() => {
        const text = call().lastError;
        if (text === undefined) return ERRNO.NO_SUCH_ROW;
        const bytes = new TextEncoder().encode(text);
        mem.writeU32(outLen, bytes.length);
        if (bytes.length > cap >>> 0) return ERRNO.BUFFER_TOO_SMALL;
        mem.write(buf, bytes);
        return ERRNO.OK;
      }),
    table_insert_row: (tableId: number, ptr: number, len: number) =>
      guard(() => {
        const stored = tx().insert(tableId, mem.copy(ptr, len));
        mem.write(ptr, stored);
      }),
    table_update_row: (tableId: number, ptr: number, len: number) =>
      guard(() => {
        tx().update(tableId, mem.copy(ptr, len));
      }),
    table_delete_row: (tableId: number, ptr: number, len: number, out: number) =>
      guard(() => {
        mem.writeU32(out, tx().deleteRow(tableId, mem.copy(ptr, len)) ? 1 : 0);
      }),
    table_count_rows: (tableId: number, out: number) =>
      guard(() => mem.writeU64(out, BigInt(tx().count(tableId)))),
    table_scan_rows: (tableId: number, out: number) =>
      guard(() => openIterator(tx().scan(tableId), out)),
    index_find_row: (
      indexId: number,
      keyPtr: number,
      keyLen: number,
      buf: number,
      cap: number,
      outLen: number,
    ) =>
      guard(() => {
        const row = tx().findUnique(indexId, mem.view(keyPtr, keyLen));
        if (row === undefined) return ERRNO.NO_SUCH_ROW;
        mem.writeU32(outLen, row.length);
        if (row.length > cap >>> 0) return ERRNO.BUFFER_TOO_SMALL;
        mem.write(buf, row);
        return ERRNO.OK;
      }),
    index_scan_point: (indexId: number, keyPtr: number, keyLen: number, out: number) =>
      guard(() => openIterator(tx().scanIndexPoint(indexId, mem.copy(keyPtr, keyLen)), out)),
    index_scan_range: (
      indexId: number,
      pp: number,
      pl: number,
      pe: number,
      sp: number,
      sl: number,
      ep: number,
      el: number,
      out: number,
    ) =>
      guard(() =>
        openIterator(tx().scanIndexRange(indexId, range(pp, pl, pe, sp, sl, ep, el)), out),
      ),
    index_delete_point: (indexId: number, keyPtr: number, keyLen: number, out: number) =>
      guard(() => mem.writeU32(out, tx().deleteIndexPoint(indexId, mem.copy(keyPtr, keyLen)))),
    index_delete_range: (
      indexId: number,
      pp: number,
      pl: number,
      pe: number,
      sp: number,
      sl: number,
      ep: number,
      el: number,
      out: number,
    ) =>
      guard(() =>
        mem.writeU32(out, tx().deleteIndexRange(indexId, range(pp, pl, pe, sp, sl, ep, el))),
      ),
    iter_next_rows: (iterId: number, buf: number, cap: number, outLen: number) =>
      guard(() => {
        const c = call();
        const it = c.iterators.get(iterId);
        if (it === undefined) return ERRNO.NO_SUCH_ITER;
        let used = 0;
        const start = it.pos;
        while (it.pos < it.rows.length && used + it.rows[it.pos]!.length <= cap >>> 0)
          used += it.rows[it.pos++]!.length;
        if (it.pos === start && it.pos < it.rows.length) {
          mem.writeU32(outLen, it.rows[it.pos]!.length);
          return ERRNO.BUFFER_TOO_SMALL;
        }
        const target = mem.view(buf, used);
        let at = 0;
        for (let i = start; i < it.pos; i++) {
          target.set(it.rows[i]!, at);
          at += it.rows[i]!.length;
        }
        mem.writeU32(outLen, used);
        if (it.pos >= it.rows.length) {
          c.iterators.delete(iterId);
          return ERRNO.EXHAUSTED;
        }
        return ERRNO.OK;
      }),
    iter_close: (iterId: number) =>
      guard(() => (call().iterators.delete(iterId) ? ERRNO.OK : ERRNO.NO_SUCH_ITER)),
  };
  return host;
}
