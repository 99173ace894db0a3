/**
 * @module
 * Typed readers over parsed JSON for the v1 JSON protocol decoders. Each takes the value and
 * its path (`CallReducer.request_id`) and throws `PROTOCOL_DECODE` naming the path, what was
 * expected and what arrived. Products must be objects with exactly their fields; sums are
 * objects with exactly one key, the variant name.
 */
import { WasmbaseError } from '../error.js';
import { hexToBytes, utf8ByteLength } from '../hex-utf8.js';
import { ConnectionId, Identity } from '../identity.js';

export type JsonObject = { readonly [key: string]: unknown };

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'bigint') return v.toString();
  // Parsed server messages may hold bigints, which JSON.stringify refuses.
  const text =
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  return text.length > 60 ? text.slice(0, 60) + '…' : text;
}

export function jsonFail(path: string, message: string): never {
  throw new WasmbaseError('PROTOCOL_DECODE', `${path}: ${message}`, { path });
}

function expected(path: string, what: string, got: unknown): never {
  return jsonFail(path, `expected ${what}, got ${shown(got)}`);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with exactly the keys `names` (all required). */
export function fields(v: unknown, path: string, names: readonly string[]): JsonObject {
  if (!isObject(v)) return expected(path, `an object with fields ${names.join(', ')}`, v);
  for (const key of Object.keys(v))
    if (!names.includes(key)) jsonFail(path, `unknown field "${key.slice(0, 60)}"`);
  for (const name of names) if (!Object.hasOwn(v, name)) jsonFail(path, `missing field "${name}"`);
  return v;
}

/** A sum value `{"Variant": payload}`; returns the variant name and its payload. */
export function variant<N extends string>(
  v: unknown,
  path: string,
  names: readonly N[],
): [N, unknown] {
  if (!isObject(v)) {
    return expected(path, `one of ${names.map(n => `{"${n}": …}`).join(', ')}`, v);
  }
  const keys = Object.keys(v);
  if (keys.length !== 1)
    return jsonFail(
      path,
      `expected exactly one variant key (${names.join(' | ')}), got ${keys.length}`,
    );
  const key = keys[0]!;
  if (!(names as readonly string[]).includes(key))
    return jsonFail(path, `unknown variant "${key.slice(0, 60)}" (expected ${names.join(' | ')})`);
  return [key as N, v[key]];
}

/** The unit payload of a fieldless variant: `[]` (serde's form) or `{}`. */
export function unit(v: unknown, path: string): void {
  if (Array.isArray(v) ? v.length !== 0 : !isObject(v) || Object.keys(v).length !== 0)
    expected(path, '[]', v);
}

export function str(v: unknown, path: string, limitBytes?: number): string {
  if (typeof v !== 'string') return expected(path, 'a string', v);
  if (limitBytes !== undefined && v.length > limitBytes / 3) {
    const n = utf8ByteLength(v);
    if (n > limitBytes) jsonFail(path, `is ${n} bytes; the limit is ${limitBytes}`);
  }
  return v;
}

function int(v: unknown, path: string, what: string, min: bigint, max: bigint): bigint {
  const b =
    typeof v === 'bigint'
      ? v
      : typeof v === 'number' && Number.isSafeInteger(v)
        ? BigInt(v)
        : undefined;
  if (b === undefined) return expected(path, what, v);
  if (b < min || b > max) jsonFail(path, `${b} is out of range for ${what}`);
  return b;
}

export function u8(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff) return v;
  return expected(path, 'u8', v);
}

export function u32(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  return expected(path, 'u32', v);
}

export const u64 = (v: unknown, path: string): bigint => int(v, path, 'u64', 0n, (1n << 64n) - 1n);
export const i64 = (v: unknown, path: string): bigint =>
  int(v, path, 'i64', -(1n << 63n), (1n << 63n) - 1n);
export const u128 = (v: unknown, path: string): bigint =>
  int(v, path, 'u128', 0n, (1n << 128n) - 1n);

/** Bytes as a hex string (SATS-JSON's form), `0x` prefix optional. */
export function hexBytes(v: unknown, path: string, limitBytes?: number): Uint8Array {
  if (typeof v !== 'string') return expected(path, 'a hex string', v);
  const bytes = hexToBytes(v.startsWith('0x') ? v.slice(2) : v);
  if (bytes === undefined) return expected(path, 'a hex string', v);
  if (limitBytes !== undefined && bytes.length > limitBytes)
    jsonFail(path, `is ${bytes.length} bytes; the limit is ${limitBytes}`);
  return bytes;
}

/** `{"some": v}` / `{"none": []}`. */
export function option<T>(
  v: unknown,
  path: string,
  inner: (x: unknown, path: string) => T,
): T | undefined {
  const [name, payload] = variant(v, path, ['some', 'none']);
  if (name === 'none') {
    unit(payload, `${path}.none`);
    return undefined;
  }
  return inner(payload, `${path}.some`);
}

/** A one-field wrapper product such as `{"__identity__": …}`. */
function wrapped(v: unknown, path: string, field: string): unknown {
  return fields(v, path, [field])[field];
}

export function identity(v: unknown, path: string): Identity {
  const p = `${path}.__identity__`;
  const raw = wrapped(v, path, '__identity__');
  if (typeof raw !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(raw))
    return expected(p, 'a u256 as a "0x…" hex string', raw);
  return Identity.fromBigInt(BigInt(raw));
}

export function connectionId(v: unknown, path: string): ConnectionId {
  let n = u128(wrapped(v, path, '__connection_id__'), `${path}.__connection_id__`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++, n >>= 8n) bytes[i] = Number(n & 0xffn);
  return new ConnectionId(bytes);
}

export const timestamp = (v: unknown, path: string): bigint =>
  i64(
    wrapped(v, path, '__timestamp_micros_since_unix_epoch__'),
    `${path}.__timestamp_micros_since_unix_epoch__`,
  );
export const timeDuration = (v: unknown, path: string): bigint =>
  i64(wrapped(v, path, '__time_duration_micros__'), `${path}.__time_duration_micros__`);

/** A v1 `QueryId` (`{"id": n}`); a bare number is accepted too. */
export function queryId(v: unknown, path: string): number {
  if (typeof v === 'number') return u32(v, path);
  return u32(wrapped(v, path, 'id'), `${path}.id`);
}

export function array<T>(
  v: unknown,
  path: string,
  item: (x: unknown, path: string) => T,
  limit?: number,
): T[] {
  if (!Array.isArray(v)) return expected(path, 'an array', v);
  if (limit !== undefined && v.length > limit)
    jsonFail(path, `has ${v.length} items; the limit is ${limit}`);
  return v.map((x, i) => item(x, `${path}[${i}]`));
}
