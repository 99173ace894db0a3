/**
 * @module
 * BSATN encoding and decoding of SATS values, driven by a resolved `AlgebraicType` (no `Ref`s;
 * resolve them first with the module's typespace). Values use the representation documented
 * in `sats.ts`. Decoding validates as it goes: wrong tags, short input and invalid UTF-8 all
 * throw `PROTOCOL_DECODE`; encoding a value that does not fit its type throws
 * `INVALID_ARGUMENT` with the path of the offending field.
 */
import { BsatnReader } from './bsatn-reader.js';
import { BsatnWriter } from './bsatn-writer.js';
import { WasmbaseError } from './error.js';
import type { AlgebraicType, AlgebraicValue, SumValue } from './sats.js';

/** Deepest type nesting the codec follows (guards against hostile schemas). */
export const MAX_TYPE_DEPTH = 64;

/** The value range of each integer type that fits a JS number. */
export const INT_RANGES = {
  I8: [-128, 127],
  U8: [0, 255],
  I16: [-32768, 32767],
  U16: [0, 65535],
  I32: [-2147483648, 2147483647],
  U32: [0, 4294967295],
} as const;

const BIG_BITS = { I64: 64, U64: 64, I128: 128, U128: 128, I256: 256, U256: 256 } as const;

function fail(path: string, message: string): never {
  throw new WasmbaseError('INVALID_ARGUMENT', `${path === '' ? 'value' : path}: ${message}`, {
    path,
  });
}

function isSumValue(v: AlgebraicValue): v is SumValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    'tag' in v
  );
}

function isBytesType(type: AlgebraicType): boolean {
  return type.tag === 'Array' && type.elem.tag === 'U8';
}

type SmallIntTag = 'I8' | 'U8' | 'I16' | 'U16' | 'I32' | 'U32';
type BigIntTag = keyof typeof BIG_BITS;

function encodeSmallInt(w: BsatnWriter, tag: SmallIntTag, value: AlgebraicValue, path: string) {
  if (typeof value !== 'number' || !Number.isInteger(value))
    fail(path, `expected an integer (${tag.toLowerCase()}), got ${describe(value)}`);
  const [min, max] = INT_RANGES[tag];
  if (value < min || value > max)
    fail(path, `${value} is out of range for ${tag.toLowerCase()} (${min}..${max})`);
  if (tag === 'I8') w.writeI8(value);
  else if (tag === 'U8') w.writeU8(value);
  else if (tag === 'I16') w.writeI16(value);
  else if (tag === 'U16') w.writeU16(value);
  else if (tag === 'I32') w.writeI32(value);
  else w.writeU32(value);
}

function encodeBigInt(w: BsatnWriter, tag: BigIntTag, value: AlgebraicValue, path: string) {
  if (typeof value !== 'bigint')
    fail(path, `expected a bigint (${tag.toLowerCase()}), got ${describe(value)}`);
  const bits = BIG_BITS[tag];
  const signed = tag.startsWith('I');
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (value < min || value > max) fail(path, `${value} is out of range for ${tag.toLowerCase()}`);
  if (bits === 64) {
    if (signed) w.writeI64(value);
    else w.writeU64(value);
  } else w.writeBigInt(value, (bits / 8) as 16 | 32);
}

type Typed<T extends AlgebraicType['tag']> = Extract<AlgebraicType, { tag: T }>;

function encodeArray(
  w: BsatnWriter,
  type: Typed<'Array'>,
  value: AlgebraicValue,
  path: string,
  depth: number,
): void {
  if (type.elem.tag === 'U8') {
    if (!(value instanceof Uint8Array)) fail(path, `expected bytes, got ${describe(value)}`);
    return w.writeBytes(value);
  }
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  const items = value as readonly AlgebraicValue[];
  w.writeU32(items.length);
  for (let i = 0; i < items.length; i++)
    encodeValue(w, type.elem, items[i]!, `${path}[${i}]`, depth + 1);
}

function encodeProduct(
  w: BsatnWriter,
  type: Typed<'Product'>,
  value: AlgebraicValue,
  path: string,
  depth: number,
): void {
  if (!Array.isArray(value))
    fail(
      path,
      `expected a product (array of ${type.elements.length} fields), got ${describe(value)}`,
    );
  const fields = value as readonly AlgebraicValue[];
  if (fields.length !== type.elements.length)
    fail(path, `expected ${type.elements.length} fields, got ${fields.length}`);
  for (let i = 0; i < fields.length; i++) {
    const el = type.elements[i]!;
    const at = path === '' ? (el.name ?? String(i)) : `${path}.${el.name ?? i}`;
    encodeValue(w, el.type, fields[i]!, at, depth + 1);
  }
}

function encodeSum(
  w: BsatnWriter,
  type: Typed<'Sum'>,
  value: AlgebraicValue,
  path: string,
  depth: number,
): void {
  if (!isSumValue(value)) fail(path, `expected a sum value {tag, value}, got ${describe(value)}`);
  const variant = type.variants[value.tag];
  if (!Number.isInteger(value.tag) || variant === undefined)
    fail(path, `sum tag ${value.tag} out of range (${type.variants.length} variants)`);
  w.writeU8(value.tag);
  encodeValue(w, variant.type, value.value, `${path}.${variant.name ?? value.tag}`, depth + 1);
}

/** Writes `value` as BSATN of `type`. */
export function encodeValue(
  w: BsatnWriter,
  type: AlgebraicType,
  value: AlgebraicValue,
  path = '',
  depth = 0,
): void {
  if (depth > MAX_TYPE_DEPTH) fail(path, `type nesting deeper than ${MAX_TYPE_DEPTH}`);
  switch (type.tag) {
    case 'Bool':
      if (typeof value !== 'boolean') fail(path, `expected a bool, got ${describe(value)}`);
      return w.writeBool(value);
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
      return encodeSmallInt(w, type.tag, value, path);
    case 'I64':
    case 'U64':
    case 'I128':
    case 'U128':
    case 'I256':
    case 'U256':
      return encodeBigInt(w, type.tag, value, path);
    case 'F32':
    case 'F64':
      if (typeof value !== 'number')
        fail(path, `expected a number (${type.tag.toLowerCase()}), got ${describe(value)}`);
      if (type.tag === 'F32') w.writeF32(value);
      else w.writeF64(value);
      return;
    case 'String':
      if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
      return w.writeString(value);
    case 'Array':
      return encodeArray(w, type, value, path, depth);
    case 'Product':
      return encodeProduct(w, type, value, path, depth);
    case 'Sum':
      return encodeSum(w, type, value, path, depth);
    case 'Ref':
      fail(path, `unresolved type reference ${type.ref}`);
  }
}

/** Reads one value of `type`. */
export function decodeValue(r: BsatnReader, type: AlgebraicType, depth = 0): AlgebraicValue {
  if (depth > MAX_TYPE_DEPTH)
    throw new WasmbaseError('PROTOCOL_DECODE', `type nesting deeper than ${MAX_TYPE_DEPTH}`);
  switch (type.tag) {
    case 'Bool':
      return r.readBool();
    case 'I8':
      return r.readI8();
    case 'U8':
      return r.readU8();
    case 'I16':
      return r.readI16();
    case 'U16':
      return r.readU16();
    case 'I32':
      return r.readI32();
    case 'U32':
      return r.readU32();
    case 'I64':
      return r.readI64();
    case 'U64':
      return r.readU64();
    case 'I128':
      return r.readBigInt(16, true);
    case 'U128':
      return r.readBigInt(16, false);
    case 'I256':
      return r.readBigInt(32, true);
    case 'U256':
      return r.readBigInt(32, false);
    case 'F32':
      return r.readF32();
    case 'F64':
      return r.readF64();
    case 'String':
      return r.readString();
    case 'Array': {
      if (type.elem.tag === 'U8') return r.readBytes();
      const n = r.readU32();
      // Every element takes at least zero bytes, so a huge count with no data behind it is
      // caught below by the reads themselves; cap eager allocation by the bytes left.
      const out: AlgebraicValue[] = [];
      for (let i = 0; i < n; i++) {
        if (r.remaining === 0 && minSize(type.elem) > 0) {
          throw new WasmbaseError(
            'PROTOCOL_DECODE',
            `truncated input: array claims ${n} elements at offset ${r.offset}`,
          );
        }
        out.push(decodeValue(r, type.elem, depth + 1));
      }
      return out;
    }
    case 'Product': {
      const out: AlgebraicValue[] = new Array<AlgebraicValue>(type.elements.length);
      for (let i = 0; i < type.elements.length; i++)
        out[i] = decodeValue(r, type.elements[i]!.type, depth + 1);
      return out;
    }
    case 'Sum': {
      const at = r.offset;
      const tag = r.readU8();
      const variant = type.variants[tag];
      if (variant === undefined)
        throw new WasmbaseError(
          'PROTOCOL_DECODE',
          `sum tag ${tag} out of range (${type.variants.length} variants) at offset ${at}`,
        );
      return { tag, value: decodeValue(r, variant.type, depth + 1) };
    }
    case 'Ref':
      throw new WasmbaseError('PROTOCOL_DECODE', `unresolved type reference ${type.ref}`);
  }
}

/** Skips one value of `type` without building it; returns nothing. */
export function skipValue(r: BsatnReader, type: AlgebraicType, depth = 0): void {
  const fixed = fixedSize(type);
  if (fixed !== undefined) {
    r.readRawView(fixed);
    return;
  }
  if (type.tag === 'String' || isBytesType(type)) {
    r.readRawView(r.readU32());
    return;
  }
  if (depth > MAX_TYPE_DEPTH)
    throw new WasmbaseError('PROTOCOL_DECODE', `type nesting deeper than ${MAX_TYPE_DEPTH}`);
  if (type.tag === 'Array') {
    const n = r.readU32();
    for (let i = 0; i < n; i++) {
      if (r.remaining === 0 && minSize(type.elem) > 0)
        throw new WasmbaseError('PROTOCOL_DECODE', `truncated input: array claims ${n} elements`);
      skipValue(r, type.elem, depth + 1);
    }
    return;
  }
  if (type.tag === 'Product') {
    for (const el of type.elements) skipValue(r, el.type, depth + 1);
    return;
  }
  if (type.tag === 'Sum') {
    const at = r.offset;
    const tag = r.readU8();
    const variant = type.variants[tag];
    if (variant === undefined)
      throw new WasmbaseError('PROTOCOL_DECODE', `sum tag ${tag} out of range at offset ${at}`);
    skipValue(r, variant.type, depth + 1);
    return;
  }
  decodeValue(r, type, depth);
}

const FIXED: Partial<Record<AlgebraicType['tag'], number>> = {
  Bool: 1,
  I8: 1,
  U8: 1,
  I16: 2,
  U16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  I128: 16,
  U128: 16,
  I256: 32,
  U256: 32,
};

/** The encoded size of `type` when every value has the same size, else undefined. */
export function fixedSize(type: AlgebraicType, depth = 0): number | undefined {
  const f = FIXED[type.tag];
  if (f !== undefined) return f;
  if (type.tag === 'Product' && depth <= MAX_TYPE_DEPTH) {
    let total = 0;
    for (const el of type.elements) {
      const s = fixedSize(el.type, depth + 1);
      if (s === undefined) return undefined;
      total += s;
    }
    return total;
  }
  return undefined;
}

function minSize(type: AlgebraicType): number {
  return (
    fixedSize(type) ??
    (type.tag === 'Sum' ? 1 : type.tag === 'String' || type.tag === 'Array' ? 4 : 0)
  );
}

/** Convenience: encode one value to an owned byte array. */
export function encodeToBytes(type: AlgebraicType, value: AlgebraicValue): Uint8Array {
  const w = new BsatnWriter();
  encodeValue(w, type, value);
  return w.toBytes();
}

/** Convenience: decode exactly one value from `bytes` (trailing bytes are an error). */
export function decodeFromBytes(type: AlgebraicType, bytes: Uint8Array): AlgebraicValue {
  const r = new BsatnReader(bytes);
  const v = decodeValue(r, type);
  r.expectEnd();
  return v;
}

function describe(v: AlgebraicValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v !== 'string') return `${typeof v} ${String(v)}`;
  return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
}
