/**
 * @module
 * Values in SQL: literals converted to the type of the column they meet (exactly, or an
 * error: never a silent cast), the total order used by comparisons and ORDER BY (the same
 * order the store's index keys have, so index order and sorting agree), and hash keys for
 * hash joins.
 */
import { formatType, INT_RANGES, specialKind, WasmbaseError } from '../protocol/index.js';
import type { AlgebraicType, AlgebraicValue, SumValue } from '../protocol/index.js';
import type { Literal } from './sql-ast.js';
import type { Position } from './sql-lexer.js';

/** A positioned SQL error of any SQL code. */
export function sqlErrorAt(
  code: 'SQL_SYNTAX' | 'SQL_UNKNOWN_NAME' | 'SQL_TYPE_MISMATCH' | 'SQL_UNSUPPORTED',
  message: string,
  pos: Position,
): WasmbaseError {
  return new WasmbaseError(code, `${message} at ${pos.line}:${pos.column}`, {
    line: pos.line,
    column: pos.column,
  });
}

/** The Option<T> payload type when `type` is an Option, else undefined. */
export function optionInner(type: AlgebraicType): AlgebraicType | undefined {
  return specialKind(type) === 'Option' && type.tag === 'Sum' ? type.variants[0]!.type : undefined;
}

/** The option value holding `v`, and the empty one. */
export const some = (v: AlgebraicValue): SumValue => ({ tag: 0, value: v });
export const NONE: SumValue = Object.freeze({
  tag: 1,
  value: Object.freeze([]) as readonly AlgebraicValue[],
});

/** True for the unit-only enums a string literal can name (`'Active'`). */
function isUnitEnum(
  type: AlgebraicType,
): type is { tag: 'Sum'; variants: readonly { name: string | undefined; type: AlgebraicType }[] } {
  return (
    type.tag === 'Sum' &&
    type.variants.every(v => v.type.tag === 'Product' && v.type.elements.length === 0)
  );
}

/** True for types the planner may answer through an index (floats are not: -0 and NaN). */
export function indexableType(type: AlgebraicType): boolean {
  const inner = optionInner(type) ?? type;
  return inner.tag !== 'F32' && inner.tag !== 'F64';
}

function showLiteral(lit: Literal): string {
  switch (lit.type) {
    case 'string':
      return `string '${lit.text.length > 30 ? lit.text.slice(0, 30) + '…' : lit.text}'`;
    case 'hex':
      return `hex literal 0x${lit.text.length > 20 ? lit.text.slice(0, 20) + '…' : lit.text}`;
    case 'null':
      return 'NULL';
    default:
      return `${lit.type} ${lit.text.slice(0, 40)}`;
  }
}

/** Parses a decimal literal (`-12.5e3`) exactly; undefined when it is not an integer. */
export function exactInteger(text: string): bigint | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (m === null) return undefined;
  const [, sign, whole = '', frac = '', expText] = m;
  const exp = Number(expText ?? '0') - frac.length;
  const digits = (whole + frac).replace(/^0+/, '') || '0';
  if (digits === '0') return 0n;
  if (exp > 400) return undefined;
  let value: bigint;
  if (exp >= 0) value = BigInt(digits) * 10n ** BigInt(exp);
  else {
    if (-exp > digits.length) return undefined;
    const cut = digits.length + exp;
    if (!/^0*$/.test(digits.slice(cut))) return undefined;
    value = BigInt(digits.slice(0, cut) || '0');
  }
  return sign === '-' ? -value : value;
}

const BIG_BITS: Readonly<Record<string, number>> = {
  I64: 64,
  U64: 64,
  I128: 128,
  U128: 128,
  I256: 256,
  U256: 256,
};

function bigRange(tag: string): [bigint, bigint] {
  const bits = BigInt(BIG_BITS[tag]!);
  return tag.startsWith('I')
    ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
    : [0n, (1n << bits) - 1n];
}

/** An ISO 8601 date, optional time, fraction and offset (`parseTimestampMicros`). */
const ISO_TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

function parseTimestampMicros(text: string): bigint | undefined {
  const m = ISO_TIMESTAMP.exec(text.trim());
  if (m === null) return undefined;
  const ms = Date.parse(
    `${m[1]!.replace(' ', 'T')}${m[1]!.length > 10 ? '' : 'T00:00:00'}${m[3] ?? 'Z'}`,
  );
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(ms) * 1000n + BigInt(frac);
}

/**
 * Converts `lit` to a value of `type` (the type of the column it meets, named in `what`).
 * Option columns take NULL or a value of their payload type.
 */
export function literalToValue(lit: Literal, type: AlgebraicType, what: string): AlgebraicValue {
  const mismatch = (detail?: string): never => {
    throw sqlErrorAt(
      'SQL_TYPE_MISMATCH',
      detail ?? `${what} is ${formatType(type)}; ${showLiteral(lit)} is not a value of that type`,
      lit.pos,
    );
  };
  const inner = optionInner(type);
  if (inner !== undefined)
    return lit.type === 'null' ? NONE : some(literalToValue(lit, inner, what));
  if (lit.type === 'null') return mismatch(`${what} is ${formatType(type)} and cannot be NULL`);
  const special = specialKind(type);
  if (special === 'Identity' || special === 'ConnectionId') {
    const digits = special === 'Identity' ? 64 : 32;
    const hex =
      lit.type === 'hex'
        ? lit.text
        : lit.type === 'string' && /^(0x)?[0-9a-fA-F]+$/.test(lit.text)
          ? lit.text.replace(/^0x/, '')
          : undefined;
    if (hex === undefined)
      return mismatch(
        `${what} is ${special}; write it as a hex literal (0x… or X'…'), ` +
          `not ${showLiteral(lit)}`,
      );
    if (hex.replace(/^0+/, '').length > digits)
      return mismatch(
        `${showLiteral(lit)} is longer than an ${special} (${digits} hex digits) for ${what}`,
      );
    return [BigInt('0x' + (hex || '0'))];
  }
  if (special === 'Timestamp' || special === 'TimeDuration') {
    let micros: bigint | undefined;
    if (lit.type === 'integer') micros = exactInteger(lit.text);
    else if (lit.type === 'string' && special === 'Timestamp')
      micros = parseTimestampMicros(lit.text);
    if (micros === undefined)
      return mismatch(
        `${what} is ${special}; write microseconds as an integer` +
          (special === 'Timestamp' ? " or an ISO 8601 string ('2024-01-31T12:00:00Z')" : '') +
          `, not ${showLiteral(lit)}`,
      );
    const [min, max] = bigRange('I64');
    if (micros < min || micros > max)
      return mismatch(`${lit.text} does not fit in ${special} (i64 microseconds) for ${what}`);
    return [micros];
  }
  switch (type.tag) {
    case 'Bool':
      return lit.type === 'bool' ? lit.text === 'true' : mismatch();
    case 'String':
      return lit.type === 'string' ? lit.text : mismatch();
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
    case 'I64':
    case 'U64':
    case 'I128':
    case 'U128':
    case 'I256':
    case 'U256': {
      let v: bigint | undefined;
      if (lit.type === 'integer' || lit.type === 'float') {
        v = exactInteger(lit.text);
        if (v === undefined)
          return mismatch(`${what} is ${formatType(type)}; ${lit.text} is not an integer`);
      } else if (lit.type === 'hex' && lit.text.length <= 64) v = BigInt('0x' + lit.text);
      else return mismatch();
      const [min, max] =
        type.tag in INT_RANGES
          ? (INT_RANGES[type.tag as keyof typeof INT_RANGES].map(BigInt) as [bigint, bigint])
          : bigRange(type.tag);
      if (v < min || v > max)
        return mismatch(
          `${lit.type === 'hex' ? '0x' + lit.text : lit.text} ` +
            `does not fit in ${formatType(type)} (${min}..${max}) for ${what}`,
        );
      return type.tag in INT_RANGES ? Number(v) : v;
    }
    case 'F32':
    case 'F64': {
      if (lit.type !== 'integer' && lit.type !== 'float') return mismatch();
      const n = Number(lit.text);
      const max = type.tag === 'F32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      if (!Number.isFinite(n) || Math.abs(n) > max)
        return mismatch(`${lit.text} does not fit in ${formatType(type)} for ${what}`);
      return type.tag === 'F32' ? Math.fround(n) : n;
    }
    case 'Array':
      if (type.elem.tag === 'U8' && lit.type === 'hex')
        return Uint8Array.from(Buffer.from(lit.text, 'hex'));
      if (type.elem.tag === 'U8')
        return mismatch(
          `${what} is bytes; write it as a hex literal (0x… or X'…'), not ${showLiteral(lit)}`,
        );
      return mismatch(`${what} is ${formatType(type)}; SQL has no literals of that type`);
    case 'Sum':
      if (isUnitEnum(type) && lit.type === 'string') {
        const tag = type.variants.findIndex(v => v.name === lit.text);
        if (tag < 0)
          return mismatch(
            `${what} is ${formatType(type)}; '${lit.text}' is not one of its variants`,
          );
        return { tag, value: [] };
      }
      return mismatch(
        `${what} is ${formatType(type)}; SQL has no literals of that type` +
          (isUnitEnum(type) ? ' other than variant names as strings' : ''),
      );
    default:
      return mismatch(`${what} is ${formatType(type)}; SQL has no literals of that type`);
  }
}

/** Compares strings by code point (the order of their UTF-8 bytes, as in index keys). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  const az = Object.is(a, -0);
  const bz = Object.is(b, -0);
  return az === bz ? 0 : az ? -1 : 1;
}

/**
 * The total order of values of `type`: numbers numerically, strings by code point, bytes and
 * arrays lexicographically (shorter first), products field by field, sums by variant then
 * payload (so for Option, every value sorts before NULL).
 */
export function compareValues(type: AlgebraicType, a: AlgebraicValue, b: AlgebraicValue): number {
  switch (type.tag) {
    case 'Bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'F32':
    case 'F64':
      return compareFloats(a as number, b as number);
    case 'String':
      return compareStrings(a as string, b as string);
    case 'Array': {
      if (type.elem.tag === 'U8') return compareBytes(a as Uint8Array, b as Uint8Array);
      const x = a as readonly AlgebraicValue[];
      const y = b as readonly AlgebraicValue[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(type.elem, x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 'Product': {
      const x = a as readonly AlgebraicValue[];
      const y = b as readonly AlgebraicValue[];
      for (let i = 0; i < type.elements.length; i++) {
        const c = compareValues(type.elements[i]!.type, x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 'Sum': {
      const x = a as SumValue;
      const y = b as SumValue;
      if (x.tag !== y.tag) return x.tag < y.tag ? -1 : 1;
      return compareValues(type.variants[x.tag]!.type, x.value, y.value);
    }
    case 'Ref':
      return 0;
    default:
      return a === b ? 0 : (a as number | bigint) < (b as number | bigint) ? -1 : 1;
  }
}

/** True when two types are the same type. */
export function sameType(a: AlgebraicType, b: AlgebraicType): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** A string that is equal for SQL-equal values of one type (hash-join keys). */
export function hashKey(v: AlgebraicValue): string {
  switch (typeof v) {
    case 'number':
      return v === 0 ? 'n0' : 'n' + v;
    case 'bigint':
      return 'b' + v;
    case 'string':
      return 's' + v;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      if (v instanceof Uint8Array)
        return 'x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      if (Array.isArray(v)) return '[' + v.map(hashKey).join(',') + ']';
      return `{${(v as SumValue).tag}:${hashKey((v as SumValue).value)}}`;
  }
}
