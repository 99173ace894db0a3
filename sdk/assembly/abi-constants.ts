// GENERATED FILE: do not edit. sdk/assembly/gen-abi-constants.mjs writes it from the
// host's tables (ERRNO in runtime/host/abi.ts, MODULE_LOG_LEVELS in
// runtime/log/module-log.ts); `npm run build:modules` runs it before compiling, and
// test/sdk/abi-tables.test.ts fails when this file and those tables differ.

/** errno values returned by the wasmbase_v1 host functions (runtime/host/README.md). */
export namespace Errno {
  export const EXHAUSTED: i32 = -1;
  export const OK: i32 = 0;
  export const HOST_CALL_FAILURE: i32 = 1;
  export const NOT_IN_CALL: i32 = 2;
  export const BSATN_DECODE_ERROR: i32 = 3;
  export const NO_SUCH_TABLE: i32 = 4;
  export const NO_SUCH_INDEX: i32 = 5;
  export const NO_SUCH_ITER: i32 = 6;
  export const WRONG_INDEX_ALGO: i32 = 10;
  export const BUFFER_TOO_SMALL: i32 = 11;
  export const UNIQUE_ALREADY_EXISTS: i32 = 12;
  export const INDEX_NOT_UNIQUE: i32 = 14;
  export const NO_SUCH_ROW: i32 = 15;
  export const AUTO_INC_OVERFLOW: i32 = 16;
  export const NO_PRIMARY_KEY: i32 = 30;
  export const KEY_TOO_LARGE: i32 = 31;
  export const ROW_TOO_LARGE: i32 = 32;
  export const LIMIT_EXCEEDED: i32 = 33;
  export const OUT_OF_BOUNDS: i32 = 34;
}

/** Level numbers of log_write (PANIC is written by the abort handler). */
export namespace LogLevel {
  export const ERROR: i32 = 0;
  export const WARN: i32 = 1;
  export const INFO: i32 = 2;
  export const DEBUG: i32 = 3;
  export const TRACE: i32 = 4;
  export const PANIC: i32 = 101;
}
