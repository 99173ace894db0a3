/**
 * @module
 * Checked reads shared by the BSATN message decoders of every protocol version (v1, v2, v3).
 * Each names the field it reads (`Subscribe.query_strings[2]`) and fails with `PROTOCOL_DECODE`
 * carrying the byte offset, so an error says what was wrong and where. Lengths and counts are
 * checked against a limit and against the bytes present before anything is allocated: hostile
 * input can never make a decoder allocate more than the input holds.
 */
import type { BsatnReader } from './bsatn-reader.js';
import { WasmbaseError } from './error.js';
import { ConnectionId, Identity } from './identity.js';
import { WS_LIMITS } from './ws-limits.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeError(message: string, details?: Record<string, unknown>): never {
  throw new WasmbaseError('PROTOCOL_DECODE', message, details);
}

/** A sum tag that must index `names`. */
export function readTag(r: BsatnReader, names: readonly string[], what: string): number {
  const at = r.offset;
  const tag = r.readU8();
  if (tag >= names.length)
    decodeError(`${what}: unknown tag ${tag} at offset ${at} (expected 0..${names.length - 1})`, {
      offset: at,
    });
  return tag;
}

/** A `u32` length that may be at most `limit`. */
function readLength(r: BsatnReader, what: string, limit: number | undefined): number {
  const at = r.offset;
  const n = r.readU32();
  if (limit !== undefined && n > limit)
    decodeError(`${what} at offset ${at} is ${n} bytes; the limit is ${limit}`, {
      offset: at,
      limit,
    });
  return n;
}

/** A `u32`-length-prefixed UTF-8 string of at most `limit` bytes. */
export function readText(r: BsatnReader, what: string, limit?: number): string {
  const n = readLength(r, what, limit);
  const at = r.offset;
  const bytes = r.readRawView(n);
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeError(`${what}: invalid UTF-8 in string at offset ${at}`, { offset: at });
  }
}

/** `u32`-length-prefixed bytes of at most `limit`, as a copy (receive buffers are reused). */
export function readByteArray(r: BsatnReader, what: string, limit?: number): Uint8Array {
  return new Uint8Array(r.readRawView(readLength(r, what, limit)));
}

/**
 * A `u32` count of `noun` (`tables`), refused above `limit` or when that many elements of at
 * least `minBytesEach` bytes cannot fit in what is left of the input.
 */
export function readCount(
  r: BsatnReader,
  what: string,
  noun: string,
  minBytesEach: number,
  limit?: number,
): number {
  const at = r.offset;
  const count = r.readU32();
  if (limit !== undefined && count > limit)
    decodeError(`${what} at offset ${at} has ${count} ${noun}; the limit is ${limit}`, {
      offset: at,
      limit,
    });
  if (count * minBytesEach > r.remaining)
    decodeError(`${what}: ${count} ${noun} exceed the input at offset ${r.offset}`, {
      offset: r.offset,
    });
  return count;
}

/** The query strings of a subscription, within `WS_LIMITS` (count and bytes of each). */
export function readQueryStrings(r: BsatnReader, what: string): string[] {
  const count = readCount(r, what, 'query strings', 4, WS_LIMITS.queryStrings);
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(readText(r, `${what}[${i}]`, WS_LIMITS.queryStringBytes));
  return out;
}

/** `Option<T>`: tag 0 some (then `T`), 1 none. */
export function readOption<T>(
  r: BsatnReader,
  what: string,
  some: (r: BsatnReader) => T,
): T | undefined {
  const at = r.offset;
  const tag = r.readU8();
  if (tag === 1) return undefined;
  if (tag !== 0)
    decodeError(`${what}: invalid Option tag ${tag} at offset ${at} (0 some, 1 none)`, {
      offset: at,
    });
  return some(r);
}

/** A flags byte of at most `max`. */
export function readFlags(r: BsatnReader, max: number, what: string): number {
  const at = r.offset;
  const flags = r.readU8();
  if (flags > max)
    decodeError(`${what}: invalid flags ${flags} at offset ${at} (allowed 0..${max})`, {
      offset: at,
    });
  return flags;
}

export function readIdentity(r: BsatnReader): Identity {
  return new Identity(new Uint8Array(r.readRawView(32)));
}

export function readConnectionId(r: BsatnReader): ConnectionId {
  return new ConnectionId(new Uint8Array(r.readRawView(16)));
}
