/**
 * @module
 * Byte strings as map keys, and the small value helpers the engine shares.
 */
import {
  specialKind,
  type AlgebraicType,
  type AlgebraicValue,
  type SumValue,
} from '../protocol/index.js';

/** A string equal for byte-equal inputs (latin1 maps each byte to one char), for Map keys. */
export function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The payload type of an Option, else undefined. */
export function optionInner(type: AlgebraicType): AlgebraicType | undefined {
  return specialKind(type) === 'Option' && type.tag === 'Sum' ? type.variants[0]!.type : undefined;
}

/** The Option value holding `v`. */
export function some(v: AlgebraicValue): SumValue {
  return { tag: 0, value: v };
}

/**
 * True for float columns (and Options of them): -0/0 and NaN make byte equality differ from SQL.
 */
export function isFloatType(type: AlgebraicType): boolean {
  const inner = optionInner(type) ?? type;
  return inner.tag === 'F32' || inner.tag === 'F64';
}
