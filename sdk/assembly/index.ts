/**
 * The wasmbase module SDK for AssemblyScript. See README.md in this folder.
 */
export { Identity, ConnectionId, Timestamp, ScheduleAt, Opt } from './types';
export { Table, UniqueIndex, BTreeIndex, BoundKind } from './table';
export { ReducerContext, Database, Logger, log } from './context';
export { Writer, Reader, writeValue, readValue } from './bsatn';
export {
  __wasmbase_args,
  __wasmbase_args_end,
  __wasmbase_context,
  __wasmbase_result,
  __wasmbase_describe,
} from './context';
export { __wasmbase_abort } from './abort';
