/** The error table: unique numbers, statuses, and the Retry-After seconds an error carries. */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, WasmbaseError } from '../../runtime/protocol/index.js';

describe('ERROR_CODES', () => {
  it('gives every code its own number', () => {
    const numbers = Object.values(ERROR_CODES).map(e => e.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('maps the abuse limits to 429 (rates, connections) and 403 (databases)', () => {
    expect(ERROR_CODES.RATE_LIMITED).toEqual({ number: 1008, status: 429 });
    expect(ERROR_CODES.CONNECTION_LIMIT).toEqual({ number: 1120, status: 429 });
    expect(ERROR_CODES.DATABASE_LIMIT).toEqual({ number: 1121, status: 403 });
  });
});

describe('WasmbaseError', () => {
  it('carries retryAfterSec when given, and not otherwise', () => {
    const limited = new WasmbaseError(
      'RATE_LIMITED',
      'slow down',
      { max: 1 },
      { retryAfterSec: 3 },
    );
    expect([limited.retryAfterSec, limited.status]).toEqual([3, 429]);
    expect(limited.toBody()).toEqual({
      error: { code: 'RATE_LIMITED', number: 1008, message: 'slow down', details: { max: 1 } },
    });
    expect(new WasmbaseError('BAD_REQUEST', 'no').retryAfterSec).toBeUndefined();
  });
});
