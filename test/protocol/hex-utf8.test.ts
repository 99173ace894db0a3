import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ByteLength } from '../../runtime/protocol/index.js';
import { RUNS, SEED } from './wire-test-helpers.js';

process.stdout.write(
  `hex-utf8 property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

const params = { seed: SEED, numRuns: RUNS };

describe('hex without Buffer', () => {
  it('bytesToHex is Buffer’s lowercase hex, for views too', () => {
    expect(bytesToHex(Uint8Array.of(0, 1, 0x0f, 0x10, 0xab, 0xff))).toBe('00010f10abff');
    expect(bytesToHex(new Uint8Array())).toBe('');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(bytesToHex(view)).toBe(Buffer.from(view).toString('hex'));
      }),
      params,
    );
  });

  it('hexToBytes reads both cases and is the inverse of bytesToHex', () => {
    expect(Array.from(hexToBytes('00ffAbcD')!)).toEqual([0, 0xff, 0xab, 0xcd]);
    expect(hexToBytes('')).toEqual(new Uint8Array());
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, upper) => {
        const text = Buffer.from(bytes).toString('hex');
        expect(hexToBytes(upper ? text.toUpperCase() : text)).toEqual(Uint8Array.from(bytes));
      }),
      params,
    );
  });

  it('hexToBytes refuses odd lengths and every non-hex character', () => {
    for (const bad of ['0', 'abc', 'zz', '0x00', '0g', 'g0', ' 0', '0 ', '--', '٠٠'])
      expect(hexToBytes(bad), bad).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), text => {
        const valid = text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
        expect(hexToBytes(text) !== undefined).toBe(valid);
      }),
      params,
    );
  });
});

describe('utf8ByteLength without Buffer', () => {
  it('counts 1, 2, 3 and 4 byte characters, and a lone surrogate as 3 (U+FFFD)', () => {
    expect(['a', 'é', '€', '😀', '\ud800', '\udc00', 'a\ud800b'].map(utf8ByteLength)).toEqual([
      1, 2, 3, 4, 3, 3, 5,
    ]);
  });

  it('equals Buffer.byteLength and TextEncoder for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 })),
        text => {
          expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text));
          expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
        },
      ),
      params,
    );
  });
});
