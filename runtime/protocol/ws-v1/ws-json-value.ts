/**
 * @module
 * BSATN → SATS-JSON text, the way SpacetimeDB's v1 JSON protocol renders typed values (its
 * serde output), read straight from the bytes without building values first:
 *
 * | type                          | JSON text                                   |
 * | ----------------------------- | ------------------------------------------- |
 * | integers up to 128 bits       | bare number, exact (`18446744073709551615`) |
 * | i256 / u256                   | `"0x…"` hex string (`"-0x…"` if negative)   |
 * | f32 / f64                     | shortest number; NaN and infinities `null`  |
 * | bytes (`Array<U8>`)           | hex string without `0x`                     |
 * | product                       | object by field name (`{}` when empty)      |
 * | sum                           | `{"<variant>": payload}`                    |
 *
 * So an Identity is `{"__identity__":"0xc200…"}`, a Timestamp
 * `{"__timestamp_micros_since_unix_epoch__":1700000000000000}` and an Option
 * `{"some":5}` / `{"none":{}}` inside rows. Unnamed fields or variants (never produced by the
 * module toolchain) fall back to their index.
 */
import { BsatnReader } from '../bsatn-reader.js';
import { fixedSize, MAX_TYPE_DEPTH } from '../bsatn-value.js';
import { WasmbaseError } from '../error.js';
import { bytesToHex } from '../hex-utf8.js';
import type { AlgebraicType, ProductType } from '../sats.js';

/** Zero-size elements give no byte-based bound on an array's length, so cap it. */
const MAX_ZERO_SIZE_ELEMENTS = 65536;

/** The shortest decimal that reads back as the same f32 (what serde_json prints for an f32). */
function f32Text(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (Object.is(v, -0)) return '-0';
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

function f64Text(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  return Object.is(v, -0) ? '-0' : String(v);
}

function render(r: BsatnReader, type: AlgebraicType, depth: number): string {
  if (depth > MAX_TYPE_DEPTH)
    throw new WasmbaseError('PROTOCOL_DECODE', `type nesting deeper than ${MAX_TYPE_DEPTH}`);
  switch (type.tag) {
    case 'Bool':
      return r.readBool() ? 'true' : 'false';
    case 'I8':
      return String(r.readI8());
    case 'U8':
      return String(r.readU8());
    case 'I16':
      return String(r.readI16());
    case 'U16':
      return String(r.readU16());
    case 'I32':
      return String(r.readI32());
    case 'U32':
      return String(r.readU32());
    case 'I64':
      return r.readI64().toString();
    case 'U64':
      return r.readU64().toString();
    case 'I128':
      return r.readBigInt(16, true).toString();
    case 'U128':
      return r.readBigInt(16, false).toString();
    case 'I256': {
      const v = r.readBigInt(32, true);
      return v < 0n ? `"-0x${(-v).toString(16)}"` : `"0x${v.toString(16)}"`;
    }
    case 'U256':
      return `"0x${r.readBigInt(32, false).toString(16)}"`;
    case 'F32':
      return f32Text(r.readF32());
    case 'F64':
      return f64Text(r.readF64());
    case 'String':
      return JSON.stringify(r.readString());
    case 'Array': {
      if (type.elem.tag === 'U8') return `"${bytesToHex(r.readRawView(r.readU32()))}"`;
      const at = r.offset;
      const n = r.readU32();
      const zeroSize = fixedSize(type.elem) === 0;
      if (zeroSize ? n > MAX_ZERO_SIZE_ELEMENTS : n > r.remaining) {
        throw new WasmbaseError(
          'PROTOCOL_DECODE',
          `array at offset ${at} claims ${n} elements, more than the input can hold`,
          { offset: at },
        );
      }
      let s = '[';
      for (let i = 0; i < n; i++) s += (i === 0 ? '' : ',') + render(r, type.elem, depth + 1);
      return s + ']';
    }
    case 'Product':
      return renderFields(r, type, depth, true);
    case 'Sum': {
      const at = r.offset;
      const tag = r.readU8();
      const variant = type.variants[tag];
      if (variant === undefined)
        throw new WasmbaseError(
          'PROTOCOL_DECODE',
          `sum tag ${tag} out of range (${type.variants.length} variants) at offset ${at}`,
          { offset: at },
        );
      const name = JSON.stringify(variant.name ?? String(tag));
      return `{${name}:${render(r, variant.type, depth + 1)}}`;
    }
    case 'Ref':
      throw new WasmbaseError('PROTOCOL_DECODE', `unresolved type reference ${type.ref}`);
  }
}

/** A product as a named object, or (top-level reducer arguments) as a positional array. */
function renderFields(r: BsatnReader, type: ProductType, depth: number, named: boolean): string {
  let s = named ? '{' : '[';
  type.elements.forEach((el, i) => {
    if (i > 0) s += ',';
    if (named) s += JSON.stringify(el.name ?? String(i)) + ':';
    s += render(r, el.type, depth + 1);
  });
  return s + (named ? '}' : ']');
}

/** The SATS-JSON text of one BSATN row of `rowType`; bad or trailing bytes: `PROTOCOL_DECODE`. */
export function rowToJsonText(rowType: ProductType, row: Uint8Array): string {
  const r = new BsatnReader(row);
  const text = renderFields(r, rowType, 0, true);
  r.expectEnd('row');
  return text;
}

/**
 * Reducer arguments as JSON text: a positional array of the typed values (`[1,2,1]` for
 * `transfer(1, 2, 1)`), the form SpacetimeDB echoes in `ReducerCallInfo.args`.
 */
export function argsToJsonText(params: ProductType, args: Uint8Array): string {
  const r = new BsatnReader(args);
  const text = renderFields(r, params, 0, false);
  r.expectEnd('reducer arguments');
  return text;
}
