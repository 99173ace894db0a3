/**
 * @module
 * Order-preserving key encoding: turns the BSATN of key column values into bytes whose
 * unsigned byte order (memcmp) equals the order of the values, so LMDB keeps rows and index
 * entries sorted by key.
 *
 * | type                  | encoding                                                        |
 * | --------------------- | --------------------------------------------------------------- |
 * | bool, unsigned ints   | big-endian                                                      |
 * | signed ints           | big-endian with the sign bit flipped                            |
 * | f32, f64              | big-endian bits; negative: all bits inverted, else sign flipped |
 * | string, bytes         | bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x00            |
 * | product               | fields in order                                                 |
 * | sum (incl. Option)    | tag byte, then the payload                                      |
 * | array                 | each element after a 0x01 byte, then 0x00                       |
 */
import { BsatnReader, WasmbaseError } from '../protocol/index.js';
import type { AlgebraicType } from '../protocol/index.js';

/** A growable byte buffer for building keys. */
export class KeyBuilder {
  buf = new Uint8Array(64);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  #ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.#ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(src: Uint8Array): void {
    this.#ensure(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  u16(v: number): void {
    this.byte((v >>> 8) & 0xff);
    this.byte(v & 0xff);
  }

  u64(v: bigint): void {
    for (let shift = 56n; shift >= 0n; shift -= 8n) this.byte(Number((v >> shift) & 0xffn));
  }

  /** An owned copy. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const INT_WIDTH: Partial<Record<AlgebraicType['tag'], number>> = {
  U8: 1,
  I8: 1,
  U16: 2,
  I16: 2,
  U32: 4,
  I32: 4,
  U64: 8,
  I64: 8,
  U128: 16,
  I128: 16,
  U256: 32,
  I256: 32,
};

function escapeInto(out: KeyBuilder, data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    out.byte(b);
    if (b === 0) out.byte(0xff);
  }
  out.byte(0);
  out.byte(0);
}

/**
 * Reads one BSATN value of `type` from `r` and appends its order-preserving encoding to `out`.
 */
export function appendKey(out: KeyBuilder, type: AlgebraicType, r: BsatnReader, depth = 0): void {
  if (depth > 32) throw new WasmbaseError('KEY_TOO_LARGE', 'key type nesting is too deep');
  const width = INT_WIDTH[type.tag];
  if (width !== undefined) {
    const le = r.readRawView(width);
    const signed = type.tag.startsWith('I');
    for (let i = width - 1; i >= 0; i--)
      out.byte(i === width - 1 && signed ? le[i]! ^ 0x80 : le[i]!);
    return;
  }
  switch (type.tag) {
    case 'Bool':
      out.byte(r.readBool() ? 1 : 0);
      return;
    case 'F32':
    case 'F64': {
      const n = type.tag === 'F32' ? 4 : 8;
      const le = r.readRawView(n);
      const negative = (le[n - 1]! & 0x80) !== 0;
      for (let i = n - 1; i >= 0; i--)
        out.byte(negative ? ~le[i]! & 0xff : i === n - 1 ? le[i]! ^ 0x80 : le[i]!);
      return;
    }
    case 'String':
      escapeInto(out, r.readRawView(r.readU32()));
      return;
    case 'Array': {
      if (type.elem.tag === 'U8') {
        escapeInto(out, r.readRawView(r.readU32()));
        return;
      }
      const count = r.readU32();
      for (let i = 0; i < count; i++) {
        out.byte(1);
        appendKey(out, type.elem, r, depth + 1);
      }
      out.byte(0);
      return;
    }
    case 'Product':
      for (const el of type.elements) appendKey(out, el.type, r, depth + 1);
      return;
    case 'Sum': {
      const tag = r.readU8();
      const variant = type.variants[tag];
      if (variant === undefined)
        throw new WasmbaseError('ROW_INVALID', `sum tag ${tag} out of range`);
      out.byte(tag);
      appendKey(out, variant.type, r, depth + 1);
      return;
    }
    default:
      throw new WasmbaseError('ROW_INVALID', `cannot build a key from type ${type.tag}`);
  }
}

/** Encodes the key for BSATN `bytes` holding consecutive values of `types`. Throws on leftovers. */
export function keyFromBsatn(
  types: readonly AlgebraicType[],
  bytes: Uint8Array,
  out = new KeyBuilder(),
): Uint8Array {
  out.reset();
  const r = new BsatnReader(bytes);
  for (const t of types) appendKey(out, t, r);
  r.expectEnd('key');
  return out.toBytes();
}
