/**
 * Seeded properties of the v2/v3 codec: random valid messages round-trip, and hostile bytes
 * (random, or valid encodings cut short or with a byte changed) never make a decoder throw
 * anything but `WasmbaseError` PROTOCOL_DECODE. The seed is printed; `FC_SEED` replays it and
 * `LONG_TESTS=1` widens the runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeV2ClientMessage,
  decodeV2ServerMessage,
  decodeV3ClientPayload,
  decodeV3ServerPayload,
  encodeV2ClientMessage,
  encodeV2ServerMessage,
  encodeV3ClientPayload,
  packV3Payloads,
} from '../../../runtime/protocol/index.js';
import { hostileBytes } from '../wire-arbitraries.js';
import { onlyDecodeErrors, RUNS, SEED } from '../wire-test-helpers.js';
import { v2Client, v2Server } from './ws-v2-arbitraries.js';

process.stdout.write(
  `ws-v2 property tests: seed ${SEED}, ${RUNS} runs (FC_SEED=${SEED} to replay)\n`,
);

const params = { seed: SEED, numRuns: RUNS };

describe('v2 codec properties', () => {
  it('encode → decode is the identity for random client messages', () => {
    fc.assert(
      fc.property(v2Client, msg => {
        expect(decodeV2ClientMessage(encodeV2ClientMessage(msg))).toEqual(msg);
      }),
      params,
    );
  });

  it('encode → decode is the identity for random server messages', () => {
    fc.assert(
      fc.property(v2Server, msg => {
        expect(decodeV2ServerMessage(encodeV2ServerMessage(msg))).toEqual(msg);
      }),
      params,
    );
  });

  it('v3: batches of random messages round-trip in order, however they are packed', () => {
    fc.assert(
      fc.property(
        fc.array(v2Client, { minLength: 1, maxLength: 8 }),
        fc.array(v2Server, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 400 }),
        (clients, servers, max) => {
          expect(decodeV3ClientPayload(encodeV3ClientPayload(clients), 8)).toEqual(clients);
          const payloads = packV3Payloads(servers.map(encodeV2ServerMessage), max);
          for (const p of payloads)
            expect(p.length <= max || decodeV3ServerPayload(p).length === 1).toBe(true);
          expect(payloads.flatMap(decodeV3ServerPayload)).toEqual(servers);
        },
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('v2 decoders on hostile bytes only ever throw PROTOCOL_DECODE', () => {
  const fuzz = { seed: SEED, numRuns: RUNS * 3 };

  it('client messages', () => {
    const input = hostileBytes(v2Client.map(encodeV2ClientMessage), 5);
    fc.assert(fc.property(input, onlyDecodeErrors(decodeV2ClientMessage)), fuzz);
  });

  it('server messages', () => {
    const input = hostileBytes(v2Server.map(encodeV2ServerMessage), 8);
    fc.assert(fc.property(input, onlyDecodeErrors(decodeV2ServerMessage)), fuzz);
  });

  it('v3 client payloads', () => {
    const valid = fc.array(v2Client, { minLength: 1, maxLength: 4 }).map(encodeV3ClientPayload);
    const input = hostileBytes(valid, 5);
    fc.assert(
      fc.property(
        input,
        onlyDecodeErrors(b => decodeV3ClientPayload(b, 3)),
      ),
      fuzz,
    );
  });

  it('v3 server payloads', () => {
    const valid = fc
      .array(v2Server, { minLength: 1, maxLength: 4 })
      .map(ms => packV3Payloads(ms.map(encodeV2ServerMessage))[0]!);
    fc.assert(fc.property(hostileBytes(valid, 8), onlyDecodeErrors(decodeV3ServerPayload)), fuzz);
  });
});
