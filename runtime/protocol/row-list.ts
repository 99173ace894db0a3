/**
 * @module
 * `BsatnRowList`: how binary protocols ship rows. `RowSizeHint` is `FixedSize(u16)` (tag 0) when
 * every row has the same size, else `RowOffsets(Vec<u64>)` (tag 1) with each row's start offset;
 * then the concatenated row bytes (`u32` length + data).
 */
import type { BsatnReader } from './bsatn-reader.js';
import type { BsatnWriter } from './bsatn-writer.js';
import { WasmbaseError } from './error.js';

export function encodeRowList(w: BsatnWriter, rows: readonly Uint8Array[]): void {
  const size = rows[0]?.length ?? 0;
  const fixed = size > 0 && size <= 0xffff && rows.every(r => r.length === size);
  let total = 0;
  for (const r of rows) total += r.length;
  w.ensure(total + 16 + (fixed ? 0 : rows.length * 8));
  if (fixed || rows.length === 0) {
    w.writeU8(0);
    w.writeU16(rows.length === 0 ? 0 : size);
  } else {
    w.writeU8(1);
    w.writeU32(rows.length);
    // Offsets as two u32 halves: the same bytes as a u64, without a BigInt per row.
    let offset = 0;
    for (const r of rows) {
      w.writeU32(offset % 0x100000000);
      w.writeU32(Math.floor(offset / 0x100000000));
      offset += r.length;
    }
  }
  w.writeU32(total);
  for (const r of rows) w.writeRaw(r);
}

export function decodeRowList(r: BsatnReader): Uint8Array[] {
  const tag = r.readU8();
  if (tag === 0) {
    const size = r.readU16();
    const data = r.readRawView(r.readU32());
    if (size === 0) {
      if (data.length !== 0)
        throw new WasmbaseError('PROTOCOL_DECODE', 'row list: FixedSize(0) with data');
      return [];
    }
    if (data.length % size !== 0)
      throw new WasmbaseError(
        'PROTOCOL_DECODE',
        `row list: ${data.length} bytes is not a multiple of row size ${size}`,
      );
    const out: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += size) out.push(data.slice(at, at + size));
    return out;
  }
  if (tag !== 1)
    throw new WasmbaseError('PROTOCOL_DECODE', `row list: unknown size hint tag ${tag}`);
  const count = r.readU32();
  if (count > r.remaining / 8)
    throw new WasmbaseError('PROTOCOL_DECODE', `row list: ${count} offsets exceed the input`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(Number(r.readU64()));
  const data = r.readRawView(r.readU32());
  return offsets.map((start, i) => {
    const end = i + 1 < offsets.length ? offsets[i + 1]! : data.length;
    if (start > end || end > data.length)
      throw new WasmbaseError('PROTOCOL_DECODE', `row list: bad offset ${start}`);
    return data.slice(start, end);
  });
}
