/**
 * @module
 * The one error type of wasmbase. Every failure that reaches a client carries a stable `code`
 * (a name that never changes meaning) and a stable `number`. Clients and dashboards depend on
 * both: never renumber, never reuse a retired entry. The HTTP status for each code lives here
 * too, so the mapping is written once; WebSocket close codes are mapped in `ws-close.ts`.
 *
 * This file is part of `runtime/protocol` (a leaf) so that `sdk/client` can decode error bodies.
 */

/** Every error code with its stable number and the HTTP status it maps to. */
export const ERROR_CODES = {
  // 1xxx: the request itself is malformed or too large.
  BAD_REQUEST: { number: 1000, status: 400 },
  INVALID_JSON: { number: 1001, status: 400 },
  BODY_TOO_LARGE: { number: 1002, status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { number: 1003, status: 415 },
  INVALID_ARGUMENT: { number: 1004, status: 400 },
  LIMIT_EXCEEDED: { number: 1005, status: 400 },
  ROUTE_NOT_FOUND: { number: 1006, status: 404 },
  METHOD_NOT_ALLOWED: { number: 1007, status: 405 },
  RATE_LIMITED: { number: 1008, status: 429 },
  // abuse limits (issue 12): a count cap, not a rate (RATE_LIMITED is the rate).
  CONNECTION_LIMIT: { number: 1120, status: 429 },
  DATABASE_LIMIT: { number: 1121, status: 403 },
  /** A result (SQL, one-off query, initial subscription rows) over its byte limit (issue 12). */
  RESULT_TOO_LARGE: { number: 1009, status: 413 },
  // 2xxx: authentication and authorization.
  UNAUTHORIZED: { number: 2000, status: 401 },
  TOKEN_INVALID: { number: 2001, status: 401 },
  TOKEN_EXPIRED: { number: 2002, status: 401 },
  PERMISSION_DENIED: { number: 2003, status: 401 },
  IDENTITY_MISMATCH: { number: 2004, status: 400 },
  // 3xxx: databases, names and modules.
  DATABASE_NOT_FOUND: { number: 3000, status: 404 },
  NAME_INVALID: { number: 3001, status: 400 },
  NAME_TAKEN: { number: 3002, status: 409 },
  MODULE_INVALID: { number: 3003, status: 400 },
  MIGRATION_REFUSED: { number: 3004, status: 400 },
  INIT_FAILED: { number: 3005, status: 400 },
  // backups and restore (issue 19)
  BACKUP_INVALID: { number: 3700, status: 400 },
  BACKUP_TARGET_NOT_EMPTY: { number: 3701, status: 409 },
  ARCHIVE_INVALID: { number: 3702, status: 400 },
  // table export and import (issue 19)
  TABLE_NOT_FOUND: { number: 3710, status: 404 },
  IMPORT_INVALID: { number: 3711, status: 400 },
  // 4xxx: reducers.
  REDUCER_NOT_FOUND: { number: 4000, status: 404 },
  REDUCER_ARGS_INVALID: { number: 4001, status: 400 },
  REDUCER_FAILED: { number: 4002, status: 530 },
  REDUCER_TRAPPED: { number: 4003, status: 530 },
  REDUCER_TIMEOUT: { number: 4004, status: 504 },
  REDUCER_OUT_OF_MEMORY: { number: 4005, status: 530 },
  LIFECYCLE_NOT_CALLABLE: { number: 4006, status: 400 },
  /** A scheduled reducer called directly: only its schedule table's scheduler may call it. */
  SCHEDULED_NOT_CALLABLE: { number: 4007, status: 400 },
  /** A scheduled call whose row was deleted or changed before it ran (it is skipped). */
  SCHEDULE_CANCELLED: { number: 4008, status: 409 },
  // 5xxx: storage.
  UNIQUE_VIOLATION: { number: 5000, status: 400 },
  ROW_NOT_FOUND: { number: 5001, status: 404 },
  ROW_INVALID: { number: 5002, status: 400 },
  KEY_TOO_LARGE: { number: 5003, status: 400 },
  SEQUENCE_OVERFLOW: { number: 5004, status: 400 },
  STORAGE_FAILURE: { number: 5005, status: 500 },
  /** The data directory failed the start-up check; the server refuses to start on it. */
  STORE_DAMAGED: { number: 5006, status: 500 },
  // 6xxx: SQL.
  SQL_SYNTAX: { number: 6000, status: 400 },
  SQL_UNKNOWN_NAME: { number: 6001, status: 400 },
  SQL_TYPE_MISMATCH: { number: 6002, status: 400 },
  SQL_UNSUPPORTED: { number: 6003, status: 400 },
  SQL_ROW_LIMIT: { number: 6004, status: 400 },
  // 7xxx: wire protocol.
  PROTOCOL_DECODE: { number: 7000, status: 400 },
  PROTOCOL_UNSUPPORTED: { number: 7001, status: 400 },
  // 9xxx: the server's own trouble (never caused by input).
  INTERNAL: { number: 9000, status: 500 },
  UNAVAILABLE: { number: 9001, status: 503 },
  SHUTTING_DOWN: { number: 9002, status: 503 },
} as const satisfies Record<string, { number: number; status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Extra, machine-readable facts about an error (the argument name, the limit, a position). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** The JSON body of every error response: `{"error":{"code","number","message","details"?}}`. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly number: number;
    readonly message: string;
    readonly details?: ErrorDetails;
  };
}

/**
 * The single error class. Throw it with a code and a message written for the person who sent
 * the request: say what was wrong and, where possible, what is allowed.
 *
 * @example
 * throw new WasmbaseError(
 *   'LIMIT_EXCEEDED',
 *   'request body is 2 MiB; the limit is 1 MiB (--max-body-bytes)',
 *   { limit: 1048576 },
 * );
 */
export class WasmbaseError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;
  /**
   * Whole seconds (≥ 1) after which the same request may succeed: HTTP sends it as
   * `Retry-After`. Set by the abuse limits (RATE_LIMITED, CONNECTION_LIMIT).
   */
  readonly retryAfterSec: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: ErrorDetails,
    options?: { cause?: unknown; retryAfterSec?: number },
  ) {
    super(message, options);
    this.name = 'WasmbaseError';
    this.code = code;
    this.details = details;
    this.retryAfterSec = options?.retryAfterSec;
  }

  /** The stable number of this error's code. */
  get number(): number {
    return ERROR_CODES[this.code].number;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  toBody(): ErrorBody {
    const error = { code: this.code, number: this.number, message: this.message };
    return { error: this.details === undefined ? error : { ...error, details: this.details } };
  }
}

/** True when `code` names a known error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * Turns anything thrown into a WasmbaseError. Unknown errors become `INTERNAL` with a generic
 * message (the original is kept as `cause` for the server log, never shown to clients).
 */
export function toWasmbaseError(err: unknown): WasmbaseError {
  if (err instanceof WasmbaseError) return err;
  return new WasmbaseError('INTERNAL', 'internal server error', undefined, { cause: err });
}
