/** fast-check arbitraries for what every protocol version carries: integers, text, ids, rows. */
import fc from 'fast-check';
import { ConnectionId, Identity } from '../../runtime/protocol/index.js';

export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
export const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
export const u128 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
/** Valid Unicode only: lone surrogates cannot survive UTF-8. */
export const text = (maxLength = 20) => fc.string({ unit: 'grapheme', maxLength });
export const identity = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => new Identity(b));
export const connectionId = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map(b => new ConnectionId(b));

/** Rows as raw bytes: sometimes all one size (FixedSize hint), sometimes mixed (RowOffsets). */
export const bsatnRows: fc.Arbitrary<Uint8Array[]> = fc.oneof(
  fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 4 }),
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }))
    .chain(([size, n]) =>
      fc.array(fc.uint8Array({ minLength: size, maxLength: size }), { minLength: n, maxLength: n }),
    ),
);

/** Random bytes behind a plausible tag (`0..tags`); valid encodings cut short or a byte changed. */
export const hostileBytes = (valid: fc.Arbitrary<Uint8Array>, tags: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc
      .tuple(fc.integer({ min: 0, max: tags }), fc.uint8Array({ maxLength: 80 }))
      .map(([t, rest]) => Uint8Array.of(t, ...rest)),
    fc.tuple(valid, fc.nat(), fc.nat({ max: 255 })).map(([b, at, v]) => {
      const out = b.slice();
      if (out.length > 0) out[at % out.length] = v;
      return out;
    }),
    fc.tuple(valid, fc.nat()).map(([b, cut]) => b.subarray(0, b.length === 0 ? 0 : cut % b.length)),
  );
