/**
 * @module
 * BSATN reader over a byte slice. Every read is bounds-checked and a short or malformed input
 * throws `PROTOCOL_DECODE` naming the offset, so untrusted bytes can never crash the server or
 * make it allocate more than the input holds.
 */
import { WasmbaseError } from './error.js';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class BsatnReader {
  #buf: Uint8Array;
  /** Created on first need: resetting a reader is hot, most reads do not need a DataView. */
  #dataView: DataView | undefined;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#buf = bytes;
  }

  /** Points the reader at new input (hot paths reuse one reader). */
  reset(bytes: Uint8Array): this {
    this.#buf = bytes;
    this.#dataView = undefined;
    this.#pos = 0;
    return this;
  }

  get #view(): DataView {
    this.#dataView ??= new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
    return this.#dataView;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** Throws unless every byte was consumed. */
  expectEnd(what = 'value'): void {
    if (this.#pos !== this.#buf.length) {
      throw new WasmbaseError(
        'PROTOCOL_DECODE',
        `${what}: ${this.#buf.length - this.#pos} unexpected trailing bytes at offset ${this.#pos}`,
        { offset: this.#pos },
      );
    }
  }

  #take(n: number, what: string): number {
    const at = this.#pos;
    if (n > this.#buf.length - at) {
      throw new WasmbaseError(
        'PROTOCOL_DECODE',
        `truncated input: need ${n} bytes for ${what} at offset ${at}, ` +
          `have ${this.#buf.length - at}`,
        { offset: at },
      );
    }
    this.#pos = at + n;
    return at;
  }

  readBool(): boolean {
    const at = this.#take(1, 'bool');
    const b = this.#buf[at]!;
    if (b > 1)
      throw new WasmbaseError('PROTOCOL_DECODE', `invalid bool byte ${b} at offset ${at}`, {
        offset: at,
      });
    return b === 1;
  }
  readU8(): number {
    return this.#buf[this.#take(1, 'u8')]!;
  }
  readI8(): number {
    return this.#view.getInt8(this.#take(1, 'i8'));
  }
  readU16(): number {
    const at = this.#take(2, 'u16');
    return this.#buf[at]! | (this.#buf[at + 1]! << 8);
  }
  readI16(): number {
    return this.#view.getInt16(this.#take(2, 'i16'), true);
  }
  readU32(): number {
    const at = this.#take(4, 'u32');
    const b = this.#buf;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }
  readI32(): number {
    return this.#view.getInt32(this.#take(4, 'i32'), true);
  }
  readU64(): bigint {
    return this.#view.getBigUint64(this.#take(8, 'u64'), true);
  }
  readI64(): bigint {
    return this.#view.getBigInt64(this.#take(8, 'i64'), true);
  }
  readF32(): number {
    return this.#view.getFloat32(this.#take(4, 'f32'), true);
  }
  readF64(): number {
    return this.#view.getFloat64(this.#take(8, 'f64'), true);
  }

  /** A little-endian integer of 16 or 32 bytes; `signed` selects two's complement. */
  readBigInt(bytes: 16 | 32, signed: boolean): bigint {
    const at = this.#take(bytes, signed ? `i${bytes * 8}` : `u${bytes * 8}`);
    let x = 0n;
    for (let i = bytes - 1; i >= 0; i--) x = (x << 8n) | BigInt(this.#buf[at + i]!);
    return signed ? BigInt.asIntN(bytes * 8, x) : x;
  }

  /** `n` raw bytes as a view into the input (valid while the input is). */
  readRawView(n: number): Uint8Array {
    const at = this.#take(n, `${n} raw bytes`);
    return this.#buf.subarray(at, at + n);
  }

  /** `u32` length + bytes, as an owned copy. */
  readBytes(): Uint8Array {
    const n = this.readU32();
    // A plain Uint8Array copy, even when the input is a Node Buffer.
    return new Uint8Array(this.readRawView(n));
  }

  /** `u32` length + UTF-8 text. Invalid UTF-8 is an error. */
  readString(): string {
    const n = this.readU32();
    const at = this.#pos;
    const bytes = this.readRawView(n);
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw new WasmbaseError('PROTOCOL_DECODE', `invalid UTF-8 in string at offset ${at}`, {
        offset: at,
      });
    }
  }
}
