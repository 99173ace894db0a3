/**
 * @module
 * WebSocket close codes (RFC 6455 §7.4.1) and the one mapping from an error code to the close
 * code that ends a connection because of it. Here in the protocol leaf so clients can read a
 * close code the same way the server chose it.
 */
import type { ErrorCode } from './error.js';

/** WebSocket close codes used when a connection must end because of an error. */
export const WS_CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** The database's module was replaced: reconnect. */
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
} as const;

/** The close code for an error that ends a WebSocket connection. */
export function wsCloseCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'PROTOCOL_DECODE':
      return WS_CLOSE.INVALID_PAYLOAD;
    case 'PROTOCOL_UNSUPPORTED':
      return WS_CLOSE.UNSUPPORTED_DATA;
    case 'BODY_TOO_LARGE':
      return WS_CLOSE.MESSAGE_TOO_BIG;
    case 'UNAUTHORIZED':
    case 'TOKEN_INVALID':
    case 'TOKEN_EXPIRED':
    case 'PERMISSION_DENIED':
    case 'RATE_LIMITED':
    case 'CONNECTION_LIMIT':
    case 'DATABASE_LIMIT':
    case 'LIMIT_EXCEEDED':
      return WS_CLOSE.POLICY_VIOLATION;
    case 'SHUTTING_DOWN':
      return WS_CLOSE.GOING_AWAY;
    case 'UNAVAILABLE':
      return WS_CLOSE.TRY_AGAIN_LATER;
    default:
      return WS_CLOSE.INTERNAL_ERROR;
  }
}
