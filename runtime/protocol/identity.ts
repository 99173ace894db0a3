/**
 * @module
 * Identities (32 bytes) and connection ids (16 bytes). On the wire (BSATN) both are
 * little-endian integers (`u256`, `u128`); people see them as big-endian hex, so an identity
 * prints as the 64 hex digits of its number (`c200…` for SpacetimeDB-style identities).
 * Portable: hashing is the leaf's own SHA-256, randomness `globalThis.crypto.getRandomValues`.
 */
import { WasmbaseError } from './error.js';
import { sha256 } from './sha256.js';

const HEX64 = /^(0x)?[0-9a-fA-F]{64}$/;
const HEX32 = /^(0x)?[0-9a-fA-F]{32}$/;

function hexToReversedBytes(hex: string, size: number): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[size - 1 - i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function reversedBytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

export class Identity {
  /** The identity as BSATN: 32 bytes, little-endian `u256`. */
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== 32)
      throw new WasmbaseError('INVALID_ARGUMENT', `an identity is 32 bytes, got ${bytes.length}`);
    this.bytes = bytes;
  }

  static readonly ZERO = new Identity(new Uint8Array(32));

  /**
   * A SpacetimeDB-shaped identity from 26 bytes of hash: printed, it reads `c200` + a 4-byte
   * checksum (the first bytes of sha256 over `c2 00` + hash) + the hash.
   */
  static fromHash26(hash: Uint8Array): Identity {
    if (hash.length < 26) throw new WasmbaseError('INTERNAL', 'identity hash needs 26 bytes');
    const head = Uint8Array.of(0xc2, 0x00, ...hash.subarray(0, 26));
    const checksum = sha256(head).subarray(0, 4);
    const be = Uint8Array.of(0xc2, 0x00, ...checksum, ...hash.subarray(0, 26));
    return new Identity(be.reverse());
  }

  /** A fresh random identity (for new databases and anonymous callers). */
  static random(): Identity {
    return Identity.fromHash26(globalThis.crypto.getRandomValues(new Uint8Array(26)));
  }

  static isHex(text: string): boolean {
    return HEX64.test(text);
  }

  /** Parses 64 hex digits (optionally `0x`-prefixed), big-endian as printed. */
  static fromHex(text: string): Identity {
    if (!HEX64.test(text))
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `"${text.slice(0, 80)}" is not an identity: expected 64 hex digits`,
      );
    return new Identity(hexToReversedBytes(text.toLowerCase(), 32));
  }

  /** 64 lowercase hex digits, big-endian (no `0x`). */
  toHex(): string {
    return reversedBytesToHex(this.bytes);
  }

  /** The `u256` value. */
  toBigInt(): bigint {
    return BigInt('0x' + this.toHex());
  }

  static fromBigInt(value: bigint): Identity {
    return Identity.fromHex(value.toString(16).padStart(64, '0'));
  }

  equals(other: Identity): boolean {
    for (let i = 0; i < 32; i++) if (this.bytes[i] !== other.bytes[i]) return false;
    return true;
  }

  toString(): string {
    return this.toHex();
  }
}

export class ConnectionId {
  /** 16 bytes, little-endian `u128`; all zero means "no connection". */
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== 16)
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `a connection id is 16 bytes, got ${bytes.length}`,
      );
    this.bytes = bytes;
  }

  static readonly ZERO = new ConnectionId(new Uint8Array(16));

  static fromHex(text: string): ConnectionId {
    if (!HEX32.test(text))
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `"${text.slice(0, 80)}" is not a connection id: expected 32 hex digits`,
      );
    return new ConnectionId(hexToReversedBytes(text.toLowerCase(), 16));
  }

  /** A fresh random connection id (never zero). */
  static random(): ConnectionId {
    const bytes = new Uint8Array(16);
    do globalThis.crypto.getRandomValues(bytes);
    while (bytes.every(b => b === 0));
    return new ConnectionId(bytes);
  }

  isZero(): boolean {
    return this.bytes.every(b => b === 0);
  }

  toHex(): string {
    return reversedBytesToHex(this.bytes);
  }

  toBigInt(): bigint {
    return BigInt('0x' + this.toHex());
  }
}
