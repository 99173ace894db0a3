/** Shared by the protocol tests: property-test runs and seed, hex builders, decode-error checks. */
import { expect } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';

/** Property-test cases per property; `LONG_TESTS=1` widens them. */
export const RUNS = process.env['LONG_TESTS'] === '1' ? 20_000 : 300;
/** The fast-check seed: `FC_SEED` replays a run. */
export const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** Hex from readable pieces: spaces are ignored. */
export const h = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
export const le32 = (n: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b.toString('hex');
};
export const le64 = (n: bigint): string => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, n));
  return b.toString('hex');
};
/** BSATN string: u32 length + UTF-8. */
export const bstr = (s: string): string =>
  le32(Buffer.byteLength(s)) + Buffer.from(s).toString('hex');
export const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Asserts `fn` throws WasmbaseError PROTOCOL_DECODE whose message matches `pattern`. */
export function expectDecodeError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    expect((err as WasmbaseError).code).toBe('PROTOCOL_DECODE');
    expect((err as WasmbaseError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a PROTOCOL_DECODE error');
}

/** Calls `decode`, allowing it to succeed or throw PROTOCOL_DECODE; anything else is rethrown. */
export const onlyDecodeErrors =
  (decode: (b: Uint8Array) => unknown) =>
  (bytes: Uint8Array): void => {
    try {
      decode(bytes);
    } catch (err) {
      if (!(err instanceof WasmbaseError) || err.code !== 'PROTOCOL_DECODE') throw err;
    }
  };
