import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeToBytes, type AlgebraicType } from '../../runtime/protocol/index.js';
import { keyFromBsatn } from '../../runtime/store/key-codec.js';

const RUNS = process.env['LONG_TESTS'] === '1' ? 50_000 : 500;
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
process.stdout.write(`key codec property tests: seed ${seed}, ${RUNS} runs\n`);

const key = (type: AlgebraicType, value: unknown) =>
  keyFromBsatn([type], encodeToBytes(type, value as never));
const cmp = (a: Uint8Array, b: Uint8Array) =>
  Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
const order = <T>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);
const bytesOrder = (a: Uint8Array, b: Uint8Array) =>
  Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('order-preserving keys', () => {
  const cases: [string, AlgebraicType, fc.Arbitrary<unknown>, (a: never, b: never) => number][] = [
    ['i32', { tag: 'I32' }, fc.integer(), order],
    ['u32', { tag: 'U32' }, fc.integer({ min: 0, max: 2 ** 32 - 1 }), order],
    ['i64', { tag: 'I64' }, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), order],
    ['u256', { tag: 'U256' }, fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), order],
    [
      'f64',
      { tag: 'F64' },
      fc.double({ noNaN: true, noDefaultInfinity: false }).filter(d => !Object.is(d, -0)),
      order,
    ],
    [
      'string',
      { tag: 'String' },
      fc.string({ unit: 'binary' }).map(s => s),
      (a: string, b: string) =>
        bytesOrder(new TextEncoder().encode(a), new TextEncoder().encode(b)),
    ],
    ['bytes', { tag: 'Array', elem: { tag: 'U8' } }, fc.uint8Array({ maxLength: 12 }), bytesOrder],
  ];
  it.each(cases)(
    '%s keys sort like their values and never collide',
    (_name, type, arb, compare) => {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          expect(cmp(key(type, a), key(type, b))).toBe(compare(a as never, b as never));
        }),
        { seed, numRuns: RUNS },
      );
    },
  );

  it('composite keys sort by the first column, then the next', () => {
    const types: AlgebraicType[] = [{ tag: 'String' }, { tag: 'I32' }];
    const k = (s: string, n: number) =>
      keyFromBsatn(
        types,
        Uint8Array.of(...encodeToBytes(types[0]!, s), ...encodeToBytes(types[1]!, n)),
      );
    const sorted = [k('a', 5), k('a', -3), k('a\0', -9), k('', 100), k('b', -100)].sort((x, y) =>
      Buffer.compare(Buffer.from(x), Buffer.from(y)),
    );
    expect(sorted).toEqual([k('', 100), k('a', -3), k('a', 5), k('a\0', -9), k('b', -100)]);
  });
});
