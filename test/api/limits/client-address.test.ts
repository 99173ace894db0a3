/** How the per-address limits key a peer address: IPv4 as is, IPv6 by /64, mapped IPv4. */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../runtime/api/index.js';

describe('addressKey', () => {
  it('keys IPv4 by the address and knows 127.0.0.0/8 is loopback', () => {
    expect(addressKey('203.0.113.9')).toEqual({ key: '203.0.113.9', loopback: false });
    expect(addressKey('127.0.0.1')).toEqual({ key: '127.0.0.1', loopback: true });
    expect(addressKey('127.8.9.10')).toEqual({ key: '127.8.9.10', loopback: true });
  });

  it('reads IPv4-mapped IPv6 as IPv4, in both spellings', () => {
    const mapped = { key: '198.51.100.7', loopback: false };
    expect(addressKey('::ffff:198.51.100.7')).toEqual(mapped);
    expect(addressKey('0000:0000:0000:0000:0000:ffff:c633:6407')).toEqual(mapped);
    expect(addressKey('0000:0000:0000:0000:0000:ffff:7f00:0001')).toEqual({
      key: '127.0.0.1',
      loopback: true,
    });
  });

  it('keys IPv6 by its /64, so one subscriber cannot spread over its 2^64 addresses', () => {
    const a = addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    const b = addressKey('2001:0db8:0001:0002:0000:0000:0000:0001');
    const other = addressKey('2001:db8:1:3::1');
    expect(a).toEqual({ key: '2001:0db8:0001:0002::/64', loopback: false });
    expect(b.key).toBe(a.key);
    expect(other.key).not.toBe(a.key);
    expect(addressKey('::1')).toEqual({ key: '::1', loopback: true });
    expect(addressKey('0000:0000:0000:0000:0000:0000:0000:0001').loopback).toBe(true);
  });

  it('keeps text it cannot parse as the key (clipped), never loopback', () => {
    expect(addressKey('')).toEqual({ key: '', loopback: false });
    expect(addressKey('not an address')).toEqual({ key: 'not an address', loopback: false });
    expect(addressKey('1:2:3').loopback).toBe(false);
    expect(addressKey('999.1.1.1')).toEqual({ key: '999.1.1.1', loopback: false });
    expect(addressKey('x'.repeat(500)).key).toHaveLength(64);
  });
});
