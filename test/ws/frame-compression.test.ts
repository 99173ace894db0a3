import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSION_THRESHOLD_BYTES,
  frameCompressionFor,
  frameTagOf,
  MAX_DECOMPRESSED_BYTES,
  splitServerFrame,
  WasmbaseError,
  type WsCompression,
} from '../../runtime/protocol/index.js';
import {
  ASYNC_COMPRESSION_MIN_BYTES,
  compressBytes,
  decompressBytes,
  frameServerPayload,
  frameServerPayloadAsync,
  unframeServerPayload,
} from '../../runtime/ws/frame-compression.js';
import { binaryFrames, batchedFrames, prepareFrame } from '../../runtime/ws/framing.js';
import { RUNS, SEED, expectDecodeError } from '../protocol/wire-test-helpers.js';

process.stdout.write(
  `ws-frame property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

/** Compressible but not trivial: a repeating sentence with a counter. */
function payloadOf(size: number): Uint8Array {
  let text = '';
  for (let i = 0; text.length < size; i++) text += `row ${String(i).padStart(6, '0')} balance=100;`;
  return Uint8Array.from(Buffer.from(text.slice(0, size)));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('server frames', () => {
  it('a payload of at most 1 KiB is never compressed: tag 0 then the payload as is', () => {
    for (const compression of ['None', 'Gzip', 'Brotli'] as const) {
      for (const size of [0, 1, 100, COMPRESSION_THRESHOLD_BYTES]) {
        const payload = payloadOf(size);
        const frame = frameServerPayload(payload, compression);
        expect(frame.length).toBe(size + 1);
        expect(frame[0]).toBe(0);
        expect(hex(frame.subarray(1))).toBe(hex(payload));
        expect(hex(unframeServerPayload(frame))).toBe(hex(payload));
      }
    }
  });

  it('a client that asked for no compression gets tag 0 however large the payload', () => {
    const payload = payloadOf(50_000);
    const frame = frameServerPayload(payload, 'None');
    expect(frame[0]).toBe(0);
    expect(frame.length).toBe(50_001);
  });

  it.each<[WsCompression, number, (b: Uint8Array) => Buffer]>([
    ['Gzip', 2, b => gunzipSync(b)],
    ['Brotli', 1, b => brotliDecompressSync(b)],
  ])(
    'a payload over 1 KiB with %s: tag %i, smaller, decodable by zlib and by unframe',
    (compression, tag, inflate) => {
      for (const size of [COMPRESSION_THRESHOLD_BYTES + 1, 64 * 1024]) {
        const payload = payloadOf(size);
        const frame = frameServerPayload(payload, compression);
        expect(frame[0]).toBe(tag);
        expect(frame.length).toBeLessThan(size / 2);
        expect(hex(inflate(frame.subarray(1)))).toBe(hex(payload));
        expect(hex(unframeServerPayload(frame))).toBe(hex(payload));
      }
    },
  );

  it('unframes frames compressed by other encoders (any gzip level, any brotli quality)', () => {
    const payload = payloadOf(5000);
    expect(hex(unframeServerPayload(Uint8Array.of(2, ...gzipSync(payload, { level: 9 }))))).toBe(
      hex(payload),
    );
    expect(hex(unframeServerPayload(Uint8Array.of(1, ...brotliCompressSync(payload))))).toBe(
      hex(payload),
    );
  });

  it('rejects an empty frame, an unknown tag and corrupt compressed data', () => {
    expectDecodeError(
      () => unframeServerPayload(new Uint8Array()),
      /server frame: empty, expected a compression tag byte at offset 0/,
    );
    expectDecodeError(
      () => unframeServerPayload(Uint8Array.of(3, 1, 2)),
      /server frame: unknown compression tag 3 at offset 0 \(expected 0 none, 1 brotli or 2 gzip\)/,
    );
    expectDecodeError(
      () => unframeServerPayload(Uint8Array.of(2, 1, 2, 3)),
      /server frame: Gzip data is not valid gzip data/,
    );
    expectDecodeError(
      () => unframeServerPayload(Uint8Array.of(1, 0xff, 0xff, 0xff)),
      /server frame: Brotli data is not valid brotli data/,
    );
    const truncated = frameServerPayload(payloadOf(4000), 'Gzip').subarray(0, 40);
    expectDecodeError(() => unframeServerPayload(truncated), /Gzip data is not valid gzip data/);
  });

  it('caps decompression at 64 MiB', () => {
    const bomb = gzipSync(new Uint8Array(MAX_DECOMPRESSED_BYTES + 1), { level: 1 });
    expect(bomb.length).toBeLessThan(MAX_DECOMPRESSED_BYTES / 100);
    const frame = new Uint8Array(bomb.length + 1);
    frame[0] = 2;
    frame.set(bomb, 1);
    expectDecodeError(
      () => unframeServerPayload(frame),
      /Gzip data inflates beyond the limit of 67108864 bytes/,
    );
  });

  it('frame → unframe is the identity for random payloads and every compression', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.integer({ min: 0, max: 5000 }).map(payloadOf),
        ),
        fc.constantFrom<WsCompression>('None', 'Gzip', 'Brotli'),
        (payload, compression) => {
          const frame = frameServerPayload(payload, compression);
          expect(frame[0]).toBe(
            compression === 'None' || payload.length <= COMPRESSION_THRESHOLD_BYTES
              ? 0
              : compression === 'Gzip'
                ? 2
                : 1,
          );
          expect(hex(unframeServerPayload(frame))).toBe(hex(payload));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('unframing hostile bytes only ever throws PROTOCOL_DECODE', () => {
    const compressed = fc
      .tuple(
        fc.integer({ min: 1025, max: 4000 }),
        fc.constantFrom<WsCompression>('Gzip', 'Brotli'),
        fc.nat(),
        fc.nat(255),
      )
      .map(([size, c, at, v]) => {
        const frame = frameServerPayload(payloadOf(size), c).slice();
        frame[1 + (at % (frame.length - 1))] = v;
        return frame;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), compressed), frame => {
        try {
          unframeServerPayload(frame);
        } catch (err) {
          if (!(err instanceof WasmbaseError) || err.code !== 'PROTOCOL_DECODE') throw err;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('the portable frame pieces (runtime/protocol) and the zlib half (runtime/ws)', () => {
  it('compresses only payloads over 1 KiB, and names each compression by its tag byte', () => {
    expect(frameCompressionFor(COMPRESSION_THRESHOLD_BYTES, 'Gzip')).toBe('None');
    expect(frameCompressionFor(COMPRESSION_THRESHOLD_BYTES + 1, 'Gzip')).toBe('Gzip');
    expect(frameCompressionFor(COMPRESSION_THRESHOLD_BYTES + 1, 'Brotli')).toBe('Brotli');
    expect(frameCompressionFor(1 << 20, 'None')).toBe('None');
    expect([frameTagOf('None'), frameTagOf('Brotli'), frameTagOf('Gzip')]).toEqual([0, 1, 2]);
  });

  it('splits a frame into its compression and its body without inflating it', () => {
    const body = Uint8Array.of(9, 8, 7);
    for (const [tag, compression] of [
      [0, 'None'],
      [1, 'Brotli'],
      [2, 'Gzip'],
    ] as const) {
      const split = splitServerFrame(Uint8Array.of(tag, ...body));
      expect(split.compression).toBe(compression);
      expect(hex(split.body)).toBe(hex(body));
    }
    expectDecodeError(() => splitServerFrame(new Uint8Array()), /empty/);
    expectDecodeError(() => splitServerFrame(Uint8Array.of(7)), /unknown compression tag 7/);
  });

  it('decompressBytes honours a smaller cap and names the caller in its errors', () => {
    const packed = compressBytes(payloadOf(5000), 'Brotli');
    expect(hex(decompressBytes(packed, 'Brotli', 'x', 5000))).toBe(hex(payloadOf(5000)));
    expectDecodeError(
      () => decompressBytes(packed, 'Brotli', 'query update at offset 3', 4999),
      /^query update at offset 3: Brotli data inflates beyond the limit of 4999 bytes$/,
    );
  });
});

describe('big frames compressed off the main thread', () => {
  const big = (() => {
    const out = new Uint8Array(ASYNC_COMPRESSION_MIN_BYTES + 12345);
    for (let i = 0; i < out.length; i++) out[i] = (i * 31 + (i >> 10)) & 0xff;
    return out;
  })();

  it.each(['Gzip', 'Brotli'] as const)('%s: the same bytes as the synchronous frame', async c => {
    const frame = await frameServerPayloadAsync(big, c);
    expect(Buffer.from(frame).equals(Buffer.from(frameServerPayload(big, c)))).toBe(true);
    expect(unframeServerPayload(frame)).toEqual(big);
  });

  it('prepareFrame memoises the frame the flush then sends, v2 and v3 alike', async () => {
    const payload = big.slice();
    expect(prepareFrame(payload, 'None')).toBeUndefined();
    expect(prepareFrame(payload.subarray(0, 4096), 'Gzip')).toBeUndefined();
    const pending = prepareFrame(payload, 'Gzip');
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(prepareFrame(payload, 'Gzip')).toBeUndefined();
    const [v2] = binaryFrames([payload], 'Gzip');
    const [, v3] = batchedFrames([Uint8Array.of(1, 2, 3), payload], 'Gzip');
    expect(v2!.data).toBe(v3!.data);
    expect(unframeServerPayload(v2!.data as Uint8Array)).toEqual(payload);
  });
});
