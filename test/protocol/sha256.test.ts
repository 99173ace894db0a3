import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Identity, sha256 } from '../../runtime/protocol/index.js';
import { hex, RUNS, SEED } from './wire-test-helpers.js';

process.stdout.write(
  `sha256 property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

const nodeSha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('sha256 (the protocol leaf’s own, no node:crypto)', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const twoBlocks = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
    expect(hex(sha256(new TextEncoder().encode(twoBlocks)))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto at every length around the block and padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const input = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(sha256(input)), `length ${n}`).toBe(nodeSha256(input));
    }
  });

  it('matches node:crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), input => {
        expect(hex(sha256(input))).toBe(nodeSha256(input));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('reads only the view it is given, not the rest of its buffer', () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = backing.subarray(10, 50);
    expect(hex(sha256(view))).toBe(nodeSha256(view));
  });

  it('gives identities the SpacetimeDB checksum: c200 + sha256(c2 00 + hash)[0..4] + hash', () => {
    const hash = Uint8Array.from({ length: 26 }, (_, i) => 0x40 + i);
    const printed = Identity.fromHash26(hash).toHex();
    const checksum = nodeSha256(Uint8Array.of(0xc2, 0x00, ...hash)).slice(0, 8);
    expect(printed).toBe('c200' + checksum + hex(hash));
  });

  it('random identities are well-formed and differ', () => {
    const a = Identity.random().toHex();
    const b = Identity.random().toHex();
    expect(a).toMatch(/^c200[0-9a-f]{60}$/);
    expect(a).not.toBe(b);
    const rest = a.slice(12);
    expect(a.slice(4, 12)).toBe(
      nodeSha256(Uint8Array.from(Buffer.from('c200' + rest, 'hex'))).slice(0, 8),
    );
  });
});
