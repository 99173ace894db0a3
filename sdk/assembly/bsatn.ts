/**
 * BSATN in AssemblyScript: a growable writer, a bounds-checked reader, and `writeValue` /
 * `readValue`, which pick the encoding of any supported column or argument type at compile time.
 *
 * | AssemblyScript type           | SATS type                   |
 * | ----------------------------- | --------------------------- |
 * | bool                          | Bool                        |
 * | i8 i16 i32 i64 / u8 … u64     | I8 … I64 / U8 … U64         |
 * | f32 f64                       | F32 F64                     |
 * | string                        | String                      |
 * | Uint8Array                    | Array<U8> (bytes)           |
 * | Identity / ConnectionId       | Identity / ConnectionId     |
 * | Timestamp                     | Timestamp                   |
 * | Array<T> (T primitive)        | Array<T>                    |
 * | T | null (T a reference type) | Option<T>                   |
 * | Opt<T> | null (T a value type)| Option<T>                   |
 */
import { Identity, ConnectionId, Timestamp, Opt } from './types';

export const E_TRUNCATED: string = 'BSATN input is truncated';
export const E_BAD_TAG: string = 'BSATN option tag is not 0 or 1';

export class Writer {
  buf: ArrayBuffer;
  pos: i32 = 0;

  constructor(capacity: i32 = 64) {
    this.buf = new ArrayBuffer(capacity);
  }

  reset(): void {
    this.pos = 0;
  }

  @inline get ptr(): usize {
    return changetype<usize>(this.buf);
  }

  private ensure(n: i32): usize {
    const need = this.pos + n;
    if (need > this.buf.byteLength) {
      let cap = this.buf.byteLength << 1;
      while (cap < need) cap <<= 1;
      const next = new ArrayBuffer(cap);
      memory.copy(changetype<usize>(next), changetype<usize>(this.buf), this.pos);
      this.buf = next;
    }
    const at = changetype<usize>(this.buf) + <usize>this.pos;
    this.pos = need;
    return at;
  }

  u8(v: u8): void {
    store<u8>(this.ensure(1), v);
  }
  u16(v: u16): void {
    store<u16>(this.ensure(2), v);
  }
  u32(v: u32): void {
    store<u32>(this.ensure(4), v);
  }
  u64(v: u64): void {
    store<u64>(this.ensure(8), v);
  }
  f32(v: f32): void {
    store<f32>(this.ensure(4), v);
  }
  f64(v: f64): void {
    store<f64>(this.ensure(8), v);
  }

  raw(ptr: usize, len: i32): void {
    const at = this.ensure(len);
    memory.copy(at, ptr, len);
  }

  string(s: string): void {
    const len = String.UTF8.byteLength(s);
    this.u32(<u32>len);
    const at = this.ensure(len);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, at);
  }

  bytes(b: Uint8Array): void {
    this.u32(<u32>b.length);
    this.raw(b.dataStart, b.length);
  }

  /** An owned copy of what was written. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.pos);
    memory.copy(out.dataStart, changetype<usize>(this.buf), this.pos);
    return out;
  }
}

export class Reader {
  constructor(
    public ptr: usize,
    public end: usize,
  ) {}

  static of(bytes: Uint8Array): Reader {
    return new Reader(bytes.dataStart, bytes.dataStart + <usize>bytes.length);
  }

  @inline get remaining(): i32 {
    return <i32>(this.end - this.ptr);
  }

  private take(n: usize): usize {
    const at = this.ptr;
    if (n > this.end - at) abort(E_TRUNCATED);
    this.ptr = at + n;
    return at;
  }

  u8(): u8 {
    return load<u8>(this.take(1));
  }
  u16(): u16 {
    return load<u16>(this.take(2));
  }
  u32(): u32 {
    return load<u32>(this.take(4));
  }
  u64(): u64 {
    return load<u64>(this.take(8));
  }
  f32(): f32 {
    return load<f32>(this.take(4));
  }
  f64(): f64 {
    return load<f64>(this.take(8));
  }

  string(): string {
    const len = this.u32();
    const at = this.take(len);
    return String.UTF8.decodeUnsafe(at, len);
  }

  bytes(): Uint8Array {
    const len = this.u32();
    const at = this.take(len);
    const out = new Uint8Array(len);
    memory.copy(out.dataStart, at, len);
    return out;
  }

  rawInto(dst: usize, len: usize): void {
    memory.copy(dst, this.take(len), len);
  }
}

/** Writes `v` as BSATN of its SATS type (table in the header). */
export function writeValue<T>(w: Writer, v: T): void {
  if (isBoolean<T>()) {
    w.u8(v ? 1 : 0);
  } else if (isInteger<T>()) {
    if (sizeof<T>() == 1) w.u8(<u8>v);
    else if (sizeof<T>() == 2) w.u16(<u16>v);
    else if (sizeof<T>() == 4) w.u32(<u32>v);
    else w.u64(<u64>v);
  } else if (isFloat<T>()) {
    if (sizeof<T>() == 4) w.f32(<f32>v);
    else w.f64(<f64>v);
  } else if (isNullable<T>()) {
    if (v === null) {
      w.u8(1);
    } else {
      w.u8(0);
      writeValue<NonNullable<T>>(w, changetype<NonNullable<T>>(v));
    }
  } else if (isString<T>()) {
    w.string(changetype<string>(v));
  } else if (v instanceof Uint8Array) {
    w.bytes(changetype<Uint8Array>(v));
  } else if (v instanceof Identity) {
    w.raw(changetype<usize>(changetype<Identity>(v).bytes), 32);
  } else if (v instanceof ConnectionId) {
    w.raw(changetype<usize>(changetype<ConnectionId>(v).bytes), 16);
  } else if (v instanceof Timestamp) {
    w.u64(<u64>changetype<Timestamp>(v).micros);
  } else if (isArray<T>()) {
    const arr = changetype<T>(v);
    // @ts-ignore: length exists on arrays
    const n: i32 = arr.length;
    w.u32(<u32>n);
    // @ts-ignore: index access on arrays
    for (let i = 0; i < n; i++) writeValue<valueof<T>>(w, arr[i]);
  } else if (isDefined(v.__isOpt)) {
    // @ts-ignore: Opt<T>.value
    writeValue(w, v.value);
  } else if (isDefined(v.__encode)) {
    // @ts-ignore: generated by the wasmbase transform on @table classes
    v.__encode(w);
  } else {
    ERROR('wasmbase: unsupported type in writeValue<T>');
  }
}

/** Reads a value of type T written by `writeValue<T>`. */
export function readValue<T>(r: Reader): T {
  if (isBoolean<T>()) {
    return <T>(r.u8() != 0);
  } else if (isInteger<T>()) {
    if (sizeof<T>() == 1) return <T>r.u8();
    else if (sizeof<T>() == 2) return <T>r.u16();
    else if (sizeof<T>() == 4) return <T>r.u32();
    else return <T>r.u64();
  } else if (isFloat<T>()) {
    if (sizeof<T>() == 4) return <T>r.f32();
    else return <T>r.f64();
  } else if (isNullable<T>()) {
    const tag = r.u8();
    if (tag == 1) return changetype<T>(0);
    if (tag != 0) abort(E_BAD_TAG);
    return changetype<T>(readValue<NonNullable<T>>(r));
  } else if (isString<T>()) {
    return changetype<T>(r.string());
  } else if (idof<T>() == idof<Uint8Array>()) {
    return changetype<T>(r.bytes());
  } else if (idof<T>() == idof<Identity>()) {
    const id = new Identity();
    r.rawInto(changetype<usize>(id.bytes), 32);
    return changetype<T>(id);
  } else if (idof<T>() == idof<ConnectionId>()) {
    const id = new ConnectionId();
    r.rawInto(changetype<usize>(id.bytes), 16);
    return changetype<T>(id);
  } else if (idof<T>() == idof<Timestamp>()) {
    return changetype<T>(new Timestamp(<i64>r.u64()));
  } else if (isArray<T>()) {
    const n = <i32>r.u32();
    if (n > r.remaining) abort(E_TRUNCATED);
    const arr = instantiate<T>(0);
    // @ts-ignore: push exists on arrays
    for (let i = 0; i < n; i++) arr.push(readValue<valueof<T>>(r));
    return arr;
  } else {
    const out = instantiate<T>();
    // @ts-ignore: Opt<T>.__readFrom or the transform's __decode on @table classes
    if (isDefined(out.__isOpt)) out.__readFrom(r);
    // @ts-ignore: generated by the wasmbase transform
    else out.__decode(r);
    return out;
  }
}
