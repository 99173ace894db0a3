/**
 * @module
 * The binary form of a batch's writes: a sequence of
 * `[op u8][key len u32][key][value len u32][value]` (op 1 = put, 0 = delete, no value). Small,
 * flat and transferable between threads.
 */
import { BsatnReader, BsatnWriter, WasmbaseError } from '../protocol/index.js';
import type { WriteSet } from './store-types.js';

export function encodeWriteSet(entries: readonly [Uint8Array, Uint8Array | null][]): WriteSet {
  const w = new BsatnWriter(1024);
  for (const [key, value] of entries) {
    w.writeU8(value === null ? 0 : 1);
    w.writeBytes(key);
    if (value !== null) w.writeBytes(value);
  }
  return { ops: w.toBytes(), opCount: entries.length };
}

export function forEachWrite(
  ws: WriteSet,
  fn: (key: Uint8Array, value: Uint8Array | null) => void,
): void {
  const r = new BsatnReader(ws.ops);
  for (let i = 0; i < ws.opCount; i++) {
    const op = r.readU8();
    const key = r.readRawView(r.readU32());
    if (op === 1) fn(key, r.readRawView(r.readU32()));
    else if (op === 0) fn(key, null);
    else throw new WasmbaseError('STORAGE_FAILURE', `corrupt write set: op ${op}`);
  }
  r.expectEnd('write set');
}
