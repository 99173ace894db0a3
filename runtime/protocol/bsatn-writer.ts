/**
 * @module
 * BSATN writer: a growable little-endian byte buffer. One instance can be reused across many
 * encodes (`reset()`), which keeps hot paths free of allocation.
 */

const textEncoder = new TextEncoder();

export class BsatnWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was written; keeps the capacity. */
  reset(): this {
    this.#pos = 0;
    return this;
  }

  /** A view of the written bytes, valid until the next write or reset. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** An owned copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  #reserve(n: number): number {
    const at = this.#pos;
    const need = at + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    this.#pos = need;
    return at;
  }

  /** Makes room for `n` more bytes at once (one copy instead of doublings for big writes). */
  ensure(n: number): void {
    const at = this.#pos;
    this.#reserve(n);
    this.#pos = at;
  }

  writeBool(v: boolean): void {
    const at = this.#reserve(1);
    this.#buf[at] = v ? 1 : 0;
  }
  writeU8(v: number): void {
    const at = this.#reserve(1);
    this.#view.setUint8(at, v);
  }
  writeI8(v: number): void {
    const at = this.#reserve(1);
    this.#view.setInt8(at, v);
  }
  writeU16(v: number): void {
    const at = this.#reserve(2);
    this.#view.setUint16(at, v, true);
  }
  writeI16(v: number): void {
    const at = this.#reserve(2);
    this.#view.setInt16(at, v, true);
  }
  writeU32(v: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v, true);
  }
  writeI32(v: number): void {
    const at = this.#reserve(4);
    this.#view.setInt32(at, v, true);
  }
  writeU64(v: bigint): void {
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v, true);
  }
  writeI64(v: bigint): void {
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, v, true);
  }
  writeF32(v: number): void {
    const at = this.#reserve(4);
    this.#view.setFloat32(at, v, true);
  }
  writeF64(v: number): void {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, v, true);
  }

  /** Writes `v` as a little-endian integer of `bytes` bytes (16 or 32), two's complement. */
  writeBigInt(v: bigint, bytes: 16 | 32): void {
    const at = this.#reserve(bytes);
    let x = BigInt.asUintN(bytes * 8, v);
    for (let i = 0; i < bytes; i++) {
      this.#buf[at + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  }

  /** Raw bytes, no length prefix. */
  writeRaw(bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length);
    this.#buf.set(bytes, at);
  }

  /** `u32` length prefix + bytes (BSATN `Array<U8>`). */
  writeBytes(bytes: Uint8Array): void {
    this.writeU32(bytes.length);
    this.writeRaw(bytes);
  }

  /** `u32` byte-length prefix + UTF-8. */
  writeString(s: string): void {
    // Worst case UTF-8 is 3 bytes per UTF-16 unit; encode in place, then patch the length.
    const lenAt = this.#reserve(4);
    const max = s.length * 3;
    const start = this.#reserve(max);
    const { written } = textEncoder.encodeInto(s, this.#buf.subarray(start, start + max));
    this.#pos = start + written;
    this.#view.setUint32(lenAt, written, true);
  }
}

/**
 * One writer that a codec reuses for every encode (`begin` … `finish`), so hot paths do not
 * allocate a buffer per message. `finish` returns an owned copy; a writer that grew past
 * `keepBytes` for one huge message is replaced, so it does not pin that memory.
 */
export class ScratchWriter {
  #writer: BsatnWriter;

  constructor(
    readonly initialCapacity = 4096,
    readonly keepBytes = 1024 * 1024,
  ) {
    this.#writer = new BsatnWriter(initialCapacity);
  }

  /** The writer, emptied. Not re-entrant: finish one encode before beginning the next. */
  begin(): BsatnWriter {
    return this.#writer.reset();
  }

  /** A copy of what was written since `begin`. */
  finish(): Uint8Array {
    const out = this.#writer.toBytes();
    if (out.length > this.keepBytes) this.#writer = new BsatnWriter(this.initialCapacity);
    return out;
  }
}
