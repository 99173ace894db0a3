/**
 * @module
 * SATS values ⇄ JSON, driven by the value's type. Used for HTTP reducer arguments and for SQL
 * results. Input is lenient where it is unambiguous; output is one fixed form:
 *
 * | type                    | JSON output                   | also accepted on input          |
 * | ----------------------- | ----------------------------- | ------------------------------- |
 * | bool                    | `true`                        |                                 |
 * | i8..u32                 | number                        | (integer numbers only)          |
 * | f32, f64                | number (non-finite: string)   | numeric strings                 |
 * | i64..u256               | number when safe, else string | decimal strings; 128/256: `0x`  |
 * | string                  | string                        |                                 |
 * | bytes (`Array<U8>`)     | hex string                    | `0x` prefix, array of numbers   |
 * | Identity, ConnectionId  | `"0x…"` hex                   | no 0x, `{"__identity__": …}`    |
 * | Timestamp, TimeDuration | number of microseconds        | `{"__timestamp_micros_…": n}`   |
 * | Option<T>               | value or `null`               | `{"some": v}`, `{"none": []}`   |
 * | other sums              | `{"<variant name>": payload}` | `{"<variant index>": payload}`  |
 * | products, arrays        | arrays (positional)           | objects by field name (product) |
 */
import { encodeValue, INT_RANGES } from './bsatn-value.js';
import { BsatnWriter } from './bsatn-writer.js';
import { WasmbaseError } from './error.js';
import { bytesToHex, hexToBytes } from './hex-utf8.js';
import type { AlgebraicType, AlgebraicValue, ProductType, SumValue } from './sats.js';

type Special = 'Identity' | 'ConnectionId' | 'Timestamp' | 'TimeDuration' | 'Option' | undefined;

const SPECIAL_FIELDS: Readonly<Record<string, Special>> = {
  __identity__: 'Identity',
  __connection_id__: 'ConnectionId',
  __timestamp_micros_since_unix_epoch__: 'Timestamp',
  __time_duration_micros__: 'TimeDuration',
};

/** Recognises the special product/sum shapes by their magic names. */
export function specialKind(type: AlgebraicType): Special {
  if (type.tag === 'Product' && type.elements.length === 1)
    return SPECIAL_FIELDS[type.elements[0]!.name ?? ''];
  if (
    type.tag === 'Sum' &&
    type.variants.length === 2 &&
    type.variants[0]!.name === 'some' &&
    type.variants[1]!.name === 'none'
  )
    return 'Option';
  return undefined;
}

/** A human name for a type, for error messages: `u32`, `Option<string>`, `Array<i64>`, `bytes`. */
function formatElement(e: ProductType['elements'][number]): string {
  return e.name === undefined ? formatType(e.type) : `${e.name}: ${formatType(e.type)}`;
}

export function formatType(type: AlgebraicType): string {
  const special = specialKind(type);
  if (special === 'Option' && type.tag === 'Sum')
    return `Option<${formatType(type.variants[0]!.type)}>`;
  if (special !== undefined) return special;
  switch (type.tag) {
    case 'Array':
      return type.elem.tag === 'U8' ? 'bytes' : `Array<${formatType(type.elem)}>`;
    case 'Product':
      return `(${type.elements.map(formatElement).join(', ')})`;
    case 'Sum':
      return `enum { ${type.variants.map(v => v.name ?? '?').join(' | ')} }`;
    case 'Ref':
      return `ref ${type.ref}`;
    default:
      return type.tag.toLowerCase();
  }
}

/** `got` for an error message: JSON of at most 60 characters, and never a stack overflow. */
function shownJson(got: unknown): string {
  if (got === undefined) return 'nothing';
  if (typeof got === 'number' && !Number.isFinite(got)) return 'a number out of range';
  if (typeof got === 'string') return JSON.stringify(got.slice(0, 58));
  if (Array.isArray(got)) return 'an array';
  if (typeof got === 'object' && got !== null) return 'an object';
  return String(got);
}

function fail(path: string, type: AlgebraicType, got: unknown): never {
  const shown = shownJson(got);
  throw new WasmbaseError(
    'INVALID_ARGUMENT',
    `${path}: expected ${formatType(type)}, got ${shown}`,
    { path, expected: formatType(type) },
  );
}

/** A JSON number that is an exact integer (64-bit and wider values may be decimal strings). */
function bigFromJson(json: unknown): bigint | undefined {
  if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
  if (typeof json === 'string' && json.length <= 90 && /^-?\d+$/.test(json)) return BigInt(json);
  return undefined;
}

function prefixedHexToBytes(text: string): Uint8Array | undefined {
  return hexToBytes(text.startsWith('0x') ? text.slice(2) : text);
}

type Sum = Extract<AlgebraicType, { tag: 'Sum' }>;
type Product = Extract<AlgebraicType, { tag: 'Product' }>;
type IntTag = keyof typeof INT_RANGES;
type BigTag = 'I64' | 'U64' | 'I128' | 'U128' | 'I256' | 'U256';

function isPlainObject(json: unknown): json is Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

/** Identity, ConnectionId, Timestamp, TimeDuration: the bare value, or the wrapper object. */
function specialFromJson(type: Product, json: unknown, path: string, depth: number) {
  const inner = type.elements[0]!;
  const raw =
    isPlainObject(json) && inner.name !== undefined && inner.name in json
      ? json[inner.name]
      : Array.isArray(json) && json.length === 1
        ? json[0]
        : json;
  const special = specialKind(type);
  const hexOk = special === 'Identity' || special === 'ConnectionId';
  const text =
    typeof raw === 'string' && hexOk && !raw.startsWith('0x') && /^[0-9a-fA-F]+$/.test(raw)
      ? '0x' + raw
      : raw;
  // Identities and connection ids are 0x-hex; other integers are decimal only.
  const value =
    hexOk && typeof text === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(text)
      ? BigInt(text).toString()
      : text;
  return [valueFromJson(inner.type, value, path, depth + 1)];
}

/** `null`, `{"none": …}`, `{"some": v}` or the bare value. */
function optionFromJson(type: Sum, json: unknown, path: string, depth: number): SumValue {
  if (json === null) return { tag: 1, value: [] };
  if (isPlainObject(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1 && keys[0] === 'none') return { tag: 1, value: [] };
    if (keys.length === 1 && keys[0] === 'some')
      return {
        tag: 0,
        value: valueFromJson(type.variants[0]!.type, json['some'], path, depth + 1),
      };
  }
  return { tag: 0, value: valueFromJson(type.variants[0]!.type, json, path, depth + 1) };
}

function smallIntFromJson(type: AlgebraicType, tag: IntTag, json: unknown, path: string) {
  const n = json;
  const [min, max] = INT_RANGES[tag];
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  if (typeof n === 'number' && Number.isInteger(n))
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${path}: ${n} is out of range for ${formatType(type)} (${min}..${max})`,
      { path },
    );
  return fail(path, type, json);
}

function bigIntValueFromJson(type: AlgebraicType, tag: BigTag, json: unknown, path: string) {
  // 128- and 256-bit values may also be 0x hex (SpacetimeDB's JSON form for them).
  const wideHex =
    tag !== 'I64' &&
    tag !== 'U64' &&
    typeof json === 'string' &&
    /^0x[0-9a-fA-F]{1,64}$/.test(json);
  const v = wideHex ? BigInt(json) : bigFromJson(json);
  if (v === undefined) return fail(path, type, json);
  const bits = BigInt(Number(tag.slice(1)));
  const signed = tag.startsWith('I');
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < min || v > max)
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${path}: ${v} is out of range for ${formatType(type)}`,
      { path },
    );
  return v;
}

/** Bytes: a hex string (`0x` optional) or an array of byte numbers. */
function bytesFromJson(type: AlgebraicType, json: unknown, path: string): Uint8Array {
  if (typeof json === 'string') {
    const bytes = prefixedHexToBytes(json);
    if (bytes !== undefined) return bytes;
  } else if (
    Array.isArray(json) &&
    json.every(b => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    return Uint8Array.from(json as number[]);
  }
  return fail(path, type, json);
}

/** A product: positional array, or an object with exactly its field names. */
function productFromJson(type: Product, json: unknown, path: string, depth: number) {
  const els = type.elements;
  if (Array.isArray(json)) {
    if (json.length !== els.length)
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `${path}: expected ${els.length} fields, got ${json.length}`,
        { path },
      );
    return json.map((item, i) =>
      valueFromJson(els[i]!.type, item, `${path}.${els[i]!.name ?? i}`, depth + 1),
    );
  }
  if (!isPlainObject(json)) return fail(path, type, json);
  const obj = json;
  const known = new Set(els.map(e => e.name));
  for (const key of Object.keys(obj))
    if (!known.has(key))
      throw new WasmbaseError('INVALID_ARGUMENT', `${path}: unknown field "${key}"`, { path });
  return els.map((e, i) => {
    const name = e.name ?? String(i);
    if (!(name in obj))
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `${path}: missing field "${name}" (${formatType(e.type)})`,
        { path },
      );
    return valueFromJson(e.type, obj[name], `${path}.${name}`, depth + 1);
  });
}

/** A sum: `{"<variant name or index>": payload}`. */
function sumFromJson(type: Sum, json: unknown, path: string, depth: number): SumValue {
  if (isPlainObject(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1) {
      const key = keys[0]!;
      const tag = /^\d+$/.test(key) ? Number(key) : type.variants.findIndex(v => v.name === key);
      const variant = type.variants[tag];
      if (variant !== undefined)
        return { tag, value: valueFromJson(variant.type, json[key], `${path}.${key}`, depth + 1) };
    }
  }
  return fail(path, type, json);
}

/** Converts JSON to a value of `type`; INVALID_ARGUMENT names `path` and the expected type. */
export function valueFromJson(
  type: AlgebraicType,
  json: unknown,
  path = 'value',
  depth = 0,
): AlgebraicValue {
  if (depth > 64)
    throw new WasmbaseError('INVALID_ARGUMENT', `${path}: nested deeper than 64 levels`, { path });
  const special = specialKind(type);
  if (special !== undefined && type.tag === 'Product')
    return specialFromJson(type, json, path, depth);
  if (special === 'Option' && type.tag === 'Sum') return optionFromJson(type, json, path, depth);
  switch (type.tag) {
    case 'Bool':
      if (typeof json === 'boolean') return json;
      return fail(path, type, json);
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
      return smallIntFromJson(type, type.tag, json, path);
    case 'I64':
    case 'U64':
    case 'I128':
    case 'U128':
    case 'I256':
    case 'U256':
      return bigIntValueFromJson(type, type.tag, json, path);
    case 'F32':
    case 'F64': {
      if (typeof json === 'number') return json;
      if (typeof json === 'string' && json.trim() !== '' && !Number.isNaN(Number(json)))
        return Number(json);
      if (json === 'NaN') return NaN;
      return fail(path, type, json);
    }
    case 'String':
      if (typeof json === 'string') return json;
      return fail(path, type, json);
    case 'Array':
      if (type.elem.tag === 'U8') return bytesFromJson(type, json, path);
      if (!Array.isArray(json)) return fail(path, type, json);
      return json.map((item, i) => valueFromJson(type.elem, item, `${path}[${i}]`, depth + 1));
    case 'Product':
      return productFromJson(type, json, path, depth);
    case 'Sum':
      return sumFromJson(type, json, path, depth);
    case 'Ref':
      throw new WasmbaseError('INVALID_ARGUMENT', `${path}: unresolved type reference`, { path });
  }
}

function numberOrString(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** Converts a value of `type` to JSON (the output column of the table above). */
export function valueToJson(type: AlgebraicType, value: AlgebraicValue): unknown {
  const special = specialKind(type);
  if (special !== undefined && type.tag === 'Product') {
    const inner = (value as readonly AlgebraicValue[])[0]!;
    if (special === 'Identity' || special === 'ConnectionId')
      return '0x' + (inner as bigint).toString(16).padStart(special === 'Identity' ? 64 : 32, '0');
    return numberOrString(inner as bigint);
  }
  if (special === 'Option' && type.tag === 'Sum') {
    const sum = value as SumValue;
    return sum.tag === 1 ? null : valueToJson(type.variants[0]!.type, sum.value);
  }
  switch (type.tag) {
    case 'F32':
    case 'F64':
      return Number.isFinite(value as number) ? value : String(value);
    case 'I64':
    case 'U64':
    case 'I128':
    case 'U128':
    case 'I256':
    case 'U256':
      return numberOrString(value as bigint);
    case 'Array':
      if (type.elem.tag === 'U8') return bytesToHex(value as Uint8Array);
      return (value as readonly AlgebraicValue[]).map(v => valueToJson(type.elem, v));
    case 'Product':
      return (value as readonly AlgebraicValue[]).map((v, i) =>
        valueToJson(type.elements[i]!.type, v),
      );
    case 'Sum': {
      const sum = value as SumValue;
      const variant = type.variants[sum.tag]!;
      return { [variant.name ?? String(sum.tag)]: valueToJson(variant.type, sum.value) };
    }
    default:
      return value;
  }
}

/**
 * Converts a reducer call's JSON arguments (an array of positional arguments, or an object by
 * parameter name) to the BSATN of the parameter product. Wrong arity names the signature.
 */
export function reducerArgsFromJson(
  reducer: string,
  params: ProductType,
  json: unknown,
): Uint8Array {
  const paramList = params.elements.map(p => `${p.name ?? '_'}: ${formatType(p.type)}`);
  const signature = `${reducer}(${paramList.join(', ')})`;
  const n = params.elements.length;
  if (Array.isArray(json) && json.length !== n) {
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `reducer ${signature} takes ${n} argument${n === 1 ? '' : 's'}, got ${json.length}`,
      { reducer, expected: n, got: json.length },
    );
  }
  if (!Array.isArray(json) && (typeof json !== 'object' || json === null)) {
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `arguments of ${signature} must be a JSON array (or an object by parameter name)`,
      { reducer },
    );
  }
  const value = valueFromJson({ tag: 'Product', elements: params.elements }, json, 'args');
  const w = new BsatnWriter();
  encodeValue(w, { tag: 'Product', elements: params.elements }, value);
  return w.toBytes();
}
