import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  WS_CLOSE,
  wsCloseCodeFor,
  type ErrorCode,
} from '../../runtime/protocol/index.js';

describe('WebSocket close codes', () => {
  it('maps decode errors to 1007, size to 1009, auth and limits to 1008, shutdown to 1001', () => {
    const cases: [ErrorCode, number][] = [
      ['PROTOCOL_DECODE', 1007],
      ['PROTOCOL_UNSUPPORTED', 1003],
      ['BODY_TOO_LARGE', 1009],
      ['UNAUTHORIZED', 1008],
      ['TOKEN_EXPIRED', 1008],
      ['RATE_LIMITED', 1008],
      ['CONNECTION_LIMIT', 1008],
      ['DATABASE_LIMIT', 1008],
      ['LIMIT_EXCEEDED', 1008],
      ['SHUTTING_DOWN', 1001],
      ['UNAVAILABLE', 1013],
      ['INTERNAL', 1011],
      ['STORAGE_FAILURE', 1011],
    ];
    for (const [code, close] of cases) expect(wsCloseCodeFor(code), code).toBe(close);
  });

  it('gives every error code a close code from the table, never NORMAL', () => {
    const allowed = new Set<number>(Object.values(WS_CLOSE));
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const close = wsCloseCodeFor(code);
      expect(allowed.has(close), code).toBe(true);
      expect(close, code).not.toBe(WS_CLOSE.NORMAL);
    }
  });
});
