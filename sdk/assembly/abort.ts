/**
 * The abort handler (asc --use abort=sdk/assembly/abort/__wasmbase_abort): writes a panic line
 * to the module log, then traps. It uses no globals and never allocates, so it works even when
 * it runs before the module finished starting or when the allocator itself failed.
 */
import { log_write } from "./env";
import { LogLevel } from "./abi-constants";

// @ts-ignore: decorator
@inline const ABORT_BUF_SIZE: i32 = 2048;

function appendUtf8(buf: usize, at: i32, s: string | null): i32 {
  if (s === null) return at;
  const n = s.length;
  for (let i = 0; i < n && at < ABORT_BUF_SIZE - 4; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      store<u8>(buf + at++, <u8>c);
    } else if (c < 0x800) {
      store<u8>(buf + at++, <u8>(0xc0 | (c >> 6)));
      store<u8>(buf + at++, <u8>(0x80 | (c & 63)));
    } else {
      store<u8>(buf + at++, <u8>(0xe0 | (c >> 12)));
      store<u8>(buf + at++, <u8>(0x80 | ((c >> 6) & 63)));
      store<u8>(buf + at++, <u8>(0x80 | (c & 63)));
    }
  }
  return at;
}

function appendNumber(buf: usize, at: i32, v: u32): i32 {
  let digits: i32 = 1;
  for (let x = v; x >= 10; x /= 10) digits++;
  if (at + digits >= ABORT_BUF_SIZE) return at;
  let x = v;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buf + at + i, <u8>(48 + (x % 10)));
    x /= 10;
  }
  return at + digits;
}

/** @hidden */
export function __wasmbase_abort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  const state = memory.data(4);
  const buf = memory.data(ABORT_BUF_SIZE);
  if (load<i32>(state) == 0) {
    store<i32>(state, 1);
    let at = appendUtf8(buf, 0, message === null ? "abort" : message);
    if (fileName !== null) {
      at = appendUtf8(buf, at, " (");
      at = appendUtf8(buf, at, fileName);
      at = appendUtf8(buf, at, ":");
      at = appendNumber(buf, at, line);
      at = appendUtf8(buf, at, ":");
      at = appendNumber(buf, at, column);
      at = appendUtf8(buf, at, ")");
    }
    log_write(LogLevel.PANIC, buf, at);
  }
  unreachable();
}
