/**
 * Negotiation of `/subscribe`: the subprotocol is the server's most preferred one among those
 * offered (v3 > v2 > v1.bsatn > v1.json, whatever the client's order), anything else is a 400;
 * the query parameters are checked one by one with a 400 naming the parameter, and confirmed
 * reads default on for v2/v3 and off for v1.
 */
import { describe, expect, it } from 'vitest';
import {
  WasmbaseError,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
} from '../../runtime/protocol/index.js';
import { chooseProtocol, readParams, type WsProtocol } from '../../runtime/ws/negotiate.js';

const V1B = WS_PROTOCOL_V1_BSATN;
const V1J = WS_PROTOCOL_V1_JSON;
const V2 = WS_PROTOCOL_V2_BSATN;
const V3 = WS_PROTOCOL_V3_BSATN;

/** The error `fn` throws (it must throw a WasmbaseError). */
function thrown(fn: () => unknown): WasmbaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a WasmbaseError, nothing was thrown');
}

describe('chooseProtocol', () => {
  const cases: [string, WsProtocol][] = [
    [V3, V3],
    [V2, V2],
    [V1B, V1B],
    [V1J, V1J],
    [`${V1B}, ${V2}, ${V3}`, V3],
    [`${V1J},${V3},${V2}`, V3],
    [`${V2}, ${V1B}`, V2],
    [`${V1J}, ${V1B}`, V1B],
    [`  ${V1J}  `, V1J],
    [`v4.bsatn.spacetimedb, ${V2}`, V2],
    [`${V1J}, foo, bar`, V1J],
  ];
  it.each(cases)('offered "%s" → %s', (header, want) => {
    expect(chooseProtocol(header)).toBe(want);
  });

  const refused = ['', 'v4.bsatn.spacetimedb', 'V2.BSATN.SPACETIMEDB', 'v2.bsatn', `${V2}x`, ','];
  it.each(refused)('offered "%s" → 400', header => {
    const err = thrown(() => chooseProtocol(header));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      `no valid protocol selected: offer one of ${V3}, ${V2}, ${V1B}, ${V1J} ` +
        'in Sec-WebSocket-Protocol',
    );
  });

  it('reads at most 32 offered protocols', () => {
    const junk = (n: number): string[] => Array.from({ length: n }, (_, i) => `junk${i}`);
    expect(chooseProtocol([...junk(31), V2].join(','))).toBe(V2);
    expect(thrown(() => chooseProtocol([...junk(32), V2].join(','))).code).toBe('BAD_REQUEST');
  });

  it('reads at most 4096 characters of the header', () => {
    const pad = 'x'.repeat(4096 - V2.length - 1);
    expect(chooseProtocol(`${pad},${V2}`)).toBe(V2);
    expect(thrown(() => chooseProtocol(`${pad}y,${V2}`)).code).toBe('BAD_REQUEST');
  });
});

describe('readParams', () => {
  const params = (query: string, protocol: WsProtocol = V2) =>
    readParams(new URLSearchParams(query), protocol);

  it('defaults: Brotli, not light, a random non-zero connection id', () => {
    const p = params('');
    expect(p.compression).toBe('Brotli');
    expect(p.light).toBe(false);
    expect(p.connectionId.isZero()).toBe(false);
    expect(params('').connectionId.toHex()).not.toBe(p.connectionId.toHex());
  });

  it.each([
    [V3, true],
    [V2, true],
    [V1B, false],
    [V1J, false],
  ] as const)('confirmed reads default for %s: %s', (protocol, want) => {
    expect(params('', protocol).confirmed).toBe(want);
    expect(params('confirmed=', protocol).confirmed).toBe(want);
    expect(params('confirmed=true', protocol).confirmed).toBe(true);
    expect(params('confirmed=false', protocol).confirmed).toBe(false);
  });

  it('takes each compression by its exact name', () => {
    for (const c of ['None', 'Gzip', 'Brotli'] as const)
      expect(params(`compression=${c}`).compression).toBe(c);
    const err = thrown(() => params('compression=gzip'));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe(
      'query parameter compression must be one of None, Gzip, Brotli, got "gzip"',
    );
  });

  it('takes light=true|false and refuses other values with the parameter named', () => {
    expect(params('light=true', V1B).light).toBe(true);
    expect(params('light=false', V1B).light).toBe(false);
    const err = thrown(() => params('light=yes', V1B));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('query parameter light must be true or false, got "yes"');
    const conf = thrown(() => params('confirmed=1'));
    expect(conf.message).toBe('query parameter confirmed must be true or false, got "1"');
  });

  it('clips echoed values to 40 characters', () => {
    const long = 'z'.repeat(500);
    expect(thrown(() => params(`light=${long}`)).message).toContain(`"${'z'.repeat(40)}"`);
    expect(thrown(() => params(`light=${long}`)).message).not.toContain('z'.repeat(41));
    expect(thrown(() => params(`compression=${long}`)).message).not.toContain('z'.repeat(41));
  });

  it('takes a connection id of 32 hex digits and refuses zero and malformed ones', () => {
    const hex = '0123456789abcdef0123456789abcdef';
    expect(params(`connection_id=${hex}`).connectionId.toHex()).toBe(hex);
    expect(params('connection_id=').connectionId.isZero()).toBe(false);
    for (const bad of ['xyz', hex.slice(1), `${hex}00`, 'g'.repeat(32)]) {
      const err = thrown(() => params(`connection_id=${bad}`));
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toBe('query parameter connection_id must be 32 hex digits');
    }
    const zero = thrown(() => params(`connection_id=${'0'.repeat(32)}`));
    expect(zero.message).toBe('query parameter connection_id must not be zero');
  });
});
