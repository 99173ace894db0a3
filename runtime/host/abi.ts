/**
 * @module
 * The `wasmbase_v1` ABI as data: import names with signatures, required exports, errnos,
 * and the mapping from store errors to errnos. README.md in this folder is the prose version.
 */
import { SCHEMA_SECTION, type WasmbaseError } from '../protocol/index.js';
import type { FuncType } from './wasm-binary.js';

export const ABI_NAMESPACE = 'wasmbase_v1';
export { SCHEMA_SECTION };

const i32 = 'i32' as const;
const i64 = 'i64' as const;
const sig = (params: FuncType['params'], results: FuncType['results'] = [i32]): FuncType => ({
  params,
  results,
});

/** Every host function with its signature. */
export const HOST_FUNCTIONS: Readonly<Record<string, FuncType>> = {
  reducer_read_args: sig([i32]),
  reducer_set_error: sig([i32, i32]),
  module_write_describe: sig([i32, i32]),
  database_read_identity: sig([i32]),
  log_write: sig([i32, i32, i32]),
  error_read_last: sig([i32, i32, i32]),
  table_insert_row: sig([i32, i32, i32]),
  table_update_row: sig([i32, i32, i32]),
  table_delete_row: sig([i32, i32, i32, i32]),
  table_count_rows: sig([i32, i32]),
  table_scan_rows: sig([i32, i32]),
  index_find_row: sig([i32, i32, i32, i32, i32, i32]),
  index_scan_point: sig([i32, i32, i32, i32]),
  index_scan_range: sig([i32, i32, i32, i32, i32, i32, i32, i32, i32]),
  index_delete_point: sig([i32, i32, i32, i32]),
  index_delete_range: sig([i32, i32, i32, i32, i32, i32, i32, i32, i32]),
  iter_next_rows: sig([i32, i32, i32, i32]),
  iter_close: sig([i32]),
};

/** Exports a module must have. */
export const REQUIRED_EXPORTS: Readonly<Record<string, FuncType>> = {
  __call_reducer__: sig([i32, i64, i64, i64, i64, i64, i64, i64, i32]),
  __describe_module__: sig([], []),
};

/**
 * Every errno a host function returns, by name. `sdk/assembly/abi-constants.ts` is generated
 * from this table (by `sdk/assembly/build.mjs`) and test/sdk/abi-tables.test.ts diffs the two.
 */
export const ERRNO = {
  /** `iter_next_rows` only: the iterator is exhausted (and freed). Not a failure. */
  EXHAUSTED: -1,
  OK: 0,
  HOST_CALL_FAILURE: 1,
  NOT_IN_CALL: 2,
  BSATN_DECODE_ERROR: 3,
  NO_SUCH_TABLE: 4,
  NO_SUCH_INDEX: 5,
  NO_SUCH_ITER: 6,
  WRONG_INDEX_ALGO: 10,
  BUFFER_TOO_SMALL: 11,
  UNIQUE_ALREADY_EXISTS: 12,
  INDEX_NOT_UNIQUE: 14,
  NO_SUCH_ROW: 15,
  AUTO_INC_OVERFLOW: 16,
  NO_PRIMARY_KEY: 30,
  KEY_TOO_LARGE: 31,
  ROW_TOO_LARGE: 32,
  LIMIT_EXCEEDED: 33,
  OUT_OF_BOUNDS: 34,
} as const;

export type ErrnoName = keyof typeof ERRNO;

function isErrnoName(name: string): name is ErrnoName {
  return Object.hasOwn(ERRNO, name);
}

/**
 * The errno a store error maps to: the errno the store named in `details.errno` when it named
 * one, else the one its code implies. Never decided by the message text.
 */
export function errnoFor(err: WasmbaseError): number {
  const named = err.details?.['errno'];
  if (typeof named === 'string' && isErrnoName(named)) return ERRNO[named];
  switch (err.code) {
    case 'UNIQUE_VIOLATION':
      return ERRNO.UNIQUE_ALREADY_EXISTS;
    case 'ROW_NOT_FOUND':
      return ERRNO.NO_SUCH_ROW;
    case 'ROW_INVALID':
    case 'PROTOCOL_DECODE':
      return ERRNO.BSATN_DECODE_ERROR;
    case 'KEY_TOO_LARGE':
      return ERRNO.KEY_TOO_LARGE;
    case 'SEQUENCE_OVERFLOW':
      return ERRNO.AUTO_INC_OVERFLOW;
    case 'LIMIT_EXCEEDED':
      return ERRNO.LIMIT_EXCEEDED;
    default:
      return ERRNO.HOST_CALL_FAILURE;
  }
}
