import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BsatnReader,
  BsatnWriter,
  decodeFromBytes,
  decodeRowList,
  decodeValue,
  encodeRowList,
  encodeToBytes,
  WasmbaseError,
  type AlgebraicType,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';

const RUNS = process.env['LONG_TESTS'] === '1' ? 20_000 : 300;
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
// Printed so a failure can be replayed with FC_SEED=<seed>.
process.stdout.write(`bsatn property tests: seed ${seed}, ${RUNS} runs\n`);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Arbitrary (type, value) pairs over every SATS shape. */
const typed: fc.Arbitrary<[AlgebraicType, AlgebraicValue]> = fc.letrec<{
  pair: [AlgebraicType, AlgebraicValue];
}>(tie => ({
  pair: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean().map(v => [{ tag: 'Bool' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .integer({ min: -128, max: 127 })
      .map(v => [{ tag: 'I8' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .integer({ min: 0, max: 65535 })
      .map(v => [{ tag: 'U16' }, v] as [AlgebraicType, AlgebraicValue]),
    fc.integer().map(v => [{ tag: 'I32' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .bigInt({ min: 0n, max: 2n ** 64n - 1n })
      .map(v => [{ tag: 'U64' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n })
      .map(v => [{ tag: 'I128' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .bigInt({ min: 0n, max: 2n ** 256n - 1n })
      .map(v => [{ tag: 'U256' }, v] as [AlgebraicType, AlgebraicValue]),
    fc.double({ noNaN: true }).map(v => [{ tag: 'F64' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .string({ unit: 'grapheme' })
      .map(v => [{ tag: 'String' }, v] as [AlgebraicType, AlgebraicValue]),
    fc
      .uint8Array({ maxLength: 40 })
      .map(v => [{ tag: 'Array', elem: { tag: 'U8' } }, v] as [AlgebraicType, AlgebraicValue]),
    fc.array(tie('pair'), { maxLength: 4 }).map(items => {
      const type: AlgebraicType = {
        tag: 'Product',
        elements: items.map((p, i) => ({ name: `f${i}`, type: p[0] })),
      };
      return [type, items.map(p => p[1])] as [AlgebraicType, AlgebraicValue];
    }),
    tie('pair').map(
      ([t, v]) =>
        [
          {
            tag: 'Sum',
            variants: [
              { name: 'some', type: t },
              { name: 'none', type: { tag: 'Product', elements: [] } },
            ],
          },
          { tag: 0, value: v },
        ] as [AlgebraicType, AlgebraicValue],
    ),
  ),
})).pair;

describe('BSATN', () => {
  it('round-trips every shape of value', () => {
    fc.assert(
      fc.property(typed, ([type, value]) => {
        const bytes = encodeToBytes(type, value);
        expect(decodeFromBytes(type, bytes)).toEqual(value);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('never crashes on random bytes: decoding gives a value or PROTOCOL_DECODE', () => {
    fc.assert(
      fc.property(typed, fc.uint8Array({ maxLength: 64 }), ([type], bytes) => {
        try {
          decodeValue(new BsatnReader(bytes), type);
        } catch (err) {
          expect(err).toBeInstanceOf(WasmbaseError);
          expect((err as WasmbaseError).code).toBe('PROTOCOL_DECODE');
        }
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('encodes the transfer(1, 2, 1) arguments exactly as SpacetimeDB (golden bytes)', () => {
    const type: AlgebraicType = {
      tag: 'Product',
      elements: [
        { name: 'from', type: { tag: 'U32' } },
        { name: 'to', type: { tag: 'U32' } },
        { name: 'amount', type: { tag: 'I64' } },
      ],
    };
    expect(hex(encodeToBytes(type, [1, 2, 1n]))).toBe('01000000' + '02000000' + '0100000000000000');
  });

  it('encodes strings, options and sums as little-endian length prefixes and u8 tags', () => {
    expect(hex(encodeToBytes({ tag: 'String' }, 'hi'))).toBe('020000006869');
    const opt: AlgebraicType = {
      tag: 'Sum',
      variants: [
        { name: 'some', type: { tag: 'U8' } },
        { name: 'none', type: { tag: 'Product', elements: [] } },
      ],
    };
    expect(hex(encodeToBytes(opt, { tag: 0, value: 7 }))).toBe('0007');
    expect(hex(encodeToBytes(opt, { tag: 1, value: [] }))).toBe('01');
  });

  it('rejects truncated input, bad tags, bad bools and invalid UTF-8 with offsets', () => {
    expect(() => decodeFromBytes({ tag: 'U32' }, Uint8Array.of(1, 2))).toThrow(
      /truncated input: need 4 bytes for u32 at offset 0/,
    );
    expect(() => decodeFromBytes({ tag: 'Bool' }, Uint8Array.of(2))).toThrow(/invalid bool byte 2/);
    expect(() => decodeFromBytes({ tag: 'String' }, Uint8Array.of(2, 0, 0, 0, 0xff, 0xfe))).toThrow(
      /invalid UTF-8/,
    );
    expect(() => decodeFromBytes({ tag: 'U8' }, Uint8Array.of(1, 2))).toThrow(
      /1 unexpected trailing bytes/,
    );
    expect(() =>
      decodeFromBytes(
        { tag: 'Array', elem: { tag: 'U32' } },
        Uint8Array.of(0xff, 0xff, 0xff, 0xff),
      ),
    ).toThrow(/array claims 4294967295 elements/);
  });

  it('refuses values that do not fit their type when encoding', () => {
    expect(() => encodeToBytes({ tag: 'U8' }, 300)).toThrow(/300 is out of range for u8/);
    expect(() => encodeToBytes({ tag: 'I64' }, 5)).toThrow(/expected a bigint/);
  });

  it('grows its buffer across every write size', () => {
    const w = new BsatnWriter(1);
    for (let i = 0; i < 100; i++) {
      w.writeU8(1);
      w.writeU32(i);
      w.writeU64(BigInt(i));
      w.writeString('x'.repeat(i));
    }
    const r = new BsatnReader(w.toBytes());
    for (let i = 0; i < 100; i++) {
      expect([r.readU8(), r.readU32(), r.readU64(), r.readString()]).toEqual([
        1,
        i,
        BigInt(i),
        'x'.repeat(i),
      ]);
    }
  });

  it('encodes a row list of fixed-size rows as in the protocol notes (golden bytes)', () => {
    const row = (id: number, balance: bigint) =>
      encodeToBytes(
        {
          tag: 'Product',
          elements: [
            { name: 'id', type: { tag: 'U32' } },
            { name: 'b', type: { tag: 'I64' } },
          ],
        },
        [id, balance],
      );
    const w = new BsatnWriter();
    encodeRowList(w, [row(1, 5n), row(2, 6n)]);
    expect(hex(w.toBytes()).slice(0, 14)).toBe('000c0018000000');
    expect(decodeRowList(new BsatnReader(w.toBytes()))).toEqual([row(1, 5n), row(2, 6n)]);
    const v = new BsatnWriter();
    encodeRowList(v, [Uint8Array.of(1), Uint8Array.of(2, 3)]);
    expect(hex(v.toBytes())).toBe(
      '01' + '02000000' + '0000000000000000' + '0100000000000000' + '03000000' + '010203',
    );
  });
});
