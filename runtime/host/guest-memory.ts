/**
 * @module
 * Bounds-checked access to a module instance's linear memory. Views are taken fresh for every
 * access because `memory.grow` replaces the underlying buffer.
 */
import { ERRNO } from './abi.js';

/** Thrown inside host functions to return an errno to the guest. */
export class Errno extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

export class GuestMemory {
  constructor(private readonly memory: WebAssembly.Memory) {}

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  #check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.memory.buffer.byteLength)
      throw new Errno(ERRNO.OUT_OF_BOUNDS);
  }

  /** A view of guest bytes, valid until the guest runs again. */
  view(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    const l = len >>> 0;
    this.#check(p, l);
    return new Uint8Array(this.memory.buffer, p, l);
  }

  /** An owned copy of guest bytes. */
  copy(ptr: number, len: number): Uint8Array {
    return this.view(ptr, len).slice();
  }

  write(ptr: number, bytes: Uint8Array): void {
    this.view(ptr, bytes.length).set(bytes);
  }

  writeU32(ptr: number, value: number): void {
    const p = ptr >>> 0;
    this.#check(p, 4);
    new DataView(this.memory.buffer).setUint32(p, value >>> 0, true);
  }

  writeU64(ptr: number, value: bigint): void {
    const p = ptr >>> 0;
    this.#check(p, 8);
    new DataView(this.memory.buffer).setBigUint64(p, value, true);
  }

  text(ptr: number, len: number): string {
    return new TextDecoder().decode(this.view(ptr, len));
  }
}
