/**
 * The reducer context, the module log, and the small runtime the generated dispatcher calls.
 */
import * as env from './env';
import { LogLevel } from './abi-constants';
import { Reader, Writer } from './bsatn';
import { Identity, ConnectionId, Timestamp } from './types';
import { Table } from './table';

function write(level: i32, message: string): void {
  const buf = String.UTF8.encode(message);
  env.log_write(level, changetype<usize>(buf), buf.byteLength);
}

/** The module log as an object (`ctx.log`); the same as the `log` namespace. */
export class Logger {
  error(message: string): void {
    write(LogLevel.ERROR, message);
  }
  warn(message: string): void {
    write(LogLevel.WARN, message);
  }
  info(message: string): void {
    write(LogLevel.INFO, message);
  }
  debug(message: string): void {
    write(LogLevel.DEBUG, message);
  }
  trace(message: string): void {
    write(LogLevel.TRACE, message);
  }
}

/** The database's tables (`ctx.db`): `ctx.db.table<Row>("name")` is the same as `new Table<Row>("name")`. */
export class Database {
  table<T>(name: string): Table<T> {
    return new Table<T>(name);
  }
}

const sharedLogger = new Logger();
const sharedDatabase = new Database();

/** What a reducer knows about its call. */
export class ReducerContext {
  constructor(
    /** Who called. */
    public readonly sender: Identity,
    /** The caller's connection, or null for calls without one (HTTP, init). */
    public readonly connectionId: ConnectionId | null,
    /** When the call started (microseconds since the Unix epoch). */
    public readonly timestamp: Timestamp,
  ) {}

  /** The module log. */
  get log(): Logger {
    return sharedLogger;
  }

  /** The database's tables. */
  get db(): Database {
    return sharedDatabase;
  }

  /** This database's identity. */
  get identity(): Identity {
    const id = new Identity();
    env.database_read_identity(changetype<usize>(id.bytes));
    return id;
  }
}

/** The module log (read it with `GET /v1/database/:name/logs`). */
export namespace log {
  export function error(message: string): void {
    write(LogLevel.ERROR, message);
  }
  export function warn(message: string): void {
    write(LogLevel.WARN, message);
  }
  export function info(message: string): void {
    write(LogLevel.INFO, message);
  }
  export function debug(message: string): void {
    write(LogLevel.DEBUG, message);
  }
  export function trace(message: string): void {
    write(LogLevel.TRACE, message);
  }
}

// ---- used by the code the transform generates; not for module authors ----

let argsBuf = new ArrayBuffer(256);

/** @hidden Copies the call's arguments into module memory. */
export function __wasmbase_args(len: i32): Reader {
  if (len > argsBuf.byteLength) argsBuf = new ArrayBuffer(len);
  const ptr = changetype<usize>(argsBuf);
  if (len > 0) env.reducer_read_args(ptr);
  return new Reader(ptr, ptr + <usize>len);
}

/** @hidden */
export function __wasmbase_context(
  s0: i64,
  s1: i64,
  s2: i64,
  s3: i64,
  c0: i64,
  c1: i64,
  ts: i64,
): ReducerContext {
  const conn: ConnectionId | null = c0 == 0 && c1 == 0 ? null : ConnectionId.fromParts(c0, c1);
  return new ReducerContext(Identity.fromParts(s0, s1, s2, s3), conn, new Timestamp(ts));
}

/** @hidden Turns a reducer's result into the ABI return value. */
export function __wasmbase_result(error: string | null): i32 {
  if (error === null) return 0;
  const buf = String.UTF8.encode(error);
  env.reducer_set_error(changetype<usize>(buf), buf.byteLength);
  return 1;
}

/** @hidden Traps when arguments have bytes left over. */
export function __wasmbase_args_end(r: Reader): void {
  if (r.remaining != 0)
    abort('reducer arguments have ' + r.remaining.toString() + ' trailing bytes');
}

/** @hidden */
export function __wasmbase_describe(json: string): void {
  const buf = String.UTF8.encode(json);
  env.module_write_describe(changetype<usize>(buf), buf.byteLength);
}

export { Writer };
