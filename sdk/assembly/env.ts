/**
 * The `wasmbase_v1` host functions (see runtime/host/README.md). Only the SDK calls these;
 * module authors use the typed API in table.ts and context.ts. Their errnos and log levels are
 * in abi-constants.ts, generated from the host's tables.
 */

// @ts-ignore: decorator
@external("wasmbase_v1", "reducer_read_args")
export declare function reducer_read_args(dst: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "reducer_set_error")
export declare function reducer_set_error(ptr: usize, len: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "module_write_describe")
export declare function module_write_describe(ptr: usize, len: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "database_read_identity")
export declare function database_read_identity(out: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "log_write")
export declare function log_write(level: i32, ptr: usize, len: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "error_read_last")
export declare function error_read_last(buf: usize, cap: usize, outLen: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "table_insert_row")
export declare function table_insert_row(tableId: u32, row: usize, len: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "table_update_row")
export declare function table_update_row(tableId: u32, row: usize, len: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "table_delete_row")
export declare function table_delete_row(tableId: u32, row: usize, len: usize, outDeleted: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "table_count_rows")
export declare function table_count_rows(tableId: u32, outCount: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "table_scan_rows")
export declare function table_scan_rows(tableId: u32, outIter: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "index_find_row")
export declare function index_find_row(indexId: u32, key: usize, keyLen: usize, buf: usize, cap: usize, outLen: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "index_scan_point")
export declare function index_scan_point(indexId: u32, key: usize, keyLen: usize, outIter: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "index_scan_range")
export declare function index_scan_range(indexId: u32, prefix: usize, prefixLen: usize, prefixElems: u32, start: usize, startLen: usize, end: usize, endLen: usize, outIter: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "index_delete_point")
export declare function index_delete_point(indexId: u32, key: usize, keyLen: usize, outCount: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "index_delete_range")
export declare function index_delete_range(indexId: u32, prefix: usize, prefixLen: usize, prefixElems: u32, start: usize, startLen: usize, end: usize, endLen: usize, outCount: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "iter_next_rows")
export declare function iter_next_rows(iter: u32, buf: usize, cap: usize, outLen: usize): i32;
// @ts-ignore: decorator
@external("wasmbase_v1", "iter_close")
export declare function iter_close(iter: u32): i32;
