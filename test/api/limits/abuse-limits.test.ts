/**
 * The abuse limits service with an injected clock: calls per second per identity and per
 * address, identities minted per minute, open connections, databases per identity, the
 * loopback exemption, 0 = off, and the error each refusal carries.
 */
import { describe, expect, it } from 'vitest';
import { AbuseLimits, type AbuseLimitSettings } from '../../../runtime/api/index.js';
import { Identity, WasmbaseError } from '../../../runtime/protocol/index.js';

const OFF: AbuseLimitSettings = {
  callsPerSecondPerIdentity: 0,
  callsPerSecondPerIp: 0,
  connectionsPerIdentity: 0,
  connectionsPerIp: 0,
  identitiesPerMinutePerIp: 0,
  databasesPerIdentity: 0,
  exemptLoopback: false,
  maxKeys: 1000,
};

function limits(settings: Partial<AbuseLimitSettings>) {
  let now = 0;
  const service = new AbuseLimits({ ...OFF, ...settings }, () => now);
  return { service, advance: (ms: number) => (now += ms) };
}

/** The error `fn` throws (fails the test when it does not throw one). */
function refusal(fn: () => unknown): WasmbaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const alice = Identity.random();
const bob = Identity.random();

describe('AbuseLimits', () => {
  it('limits calls per identity; another identity on the same address is unaffected', () => {
    const { service, advance } = limits({ callsPerSecondPerIdentity: 2 });
    const a = service.callGate({ identity: alice, address: '198.51.100.1' });
    const b = service.callGate({ identity: bob, address: '198.51.100.1' });
    a.admitCall();
    a.admitCall();
    const err = refusal(() => a.admitCall());
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.status).toBe(429);
    expect(err.retryAfterSec).toBe(1);
    expect(err.message).toBe(
      'over the limit of 2 reducer calls per second from one identity ' +
        '(--rate-limit-calls-per-identity); retry in 1 s',
    );
    expect(err.details).toEqual({
      limit: 'calls-per-identity',
      flag: '--rate-limit-calls-per-identity',
      max: 2,
      retryAfterSec: 1,
    });
    b.admitCall();
    b.admitCall();
    // Another gate of the same identity (a second connection) shares its budget.
    const a2 = service.callGate({ identity: alice, address: '203.0.113.5' });
    expect(refusal(() => a2.admitCall()).code).toBe('RATE_LIMITED');
    advance(500);
    a.admitCall();
    expect(refusal(() => a.admitCall()).code).toBe('RATE_LIMITED');
  });

  it('limits calls per address; another address is unaffected', () => {
    const { service, advance } = limits({ callsPerSecondPerIp: 3 });
    const here = '198.51.100.1';
    service.callGate({ identity: alice, address: here }).admitCall();
    service.callGate({ identity: bob, address: here }).admitCall();
    service.callGate({ identity: Identity.random(), address: here }).admitCall();
    const err = refusal(() => service.callGate({ identity: bob, address: here }).admitCall());
    expect(err.details).toMatchObject({ limit: 'calls-per-ip', flag: '--rate-limit-calls-per-ip' });
    service.callGate({ identity: bob, address: '198.51.100.2' }).admitCall();
    advance(1000);
    for (let i = 0; i < 3; i++) service.callGate({ identity: bob, address: here }).admitCall();
  });

  it('counts an IPv6 client by its /64', () => {
    const { service } = limits({ callsPerSecondPerIp: 1 });
    service.callGate({ identity: alice, address: '2001:db8:0:1::5' }).admitCall();
    const sameNet = service.callGate({ identity: bob, address: '2001:db8:0:1:ffff::9' });
    expect(refusal(() => sameNet.admitCall()).code).toBe('RATE_LIMITED');
    service.callGate({ identity: bob, address: '2001:db8:0:2::5' }).admitCall();
  });

  it('exempts loopback from the per-address limits only when asked', () => {
    const exempt = limits({
      callsPerSecondPerIp: 1,
      identitiesPerMinutePerIp: 1,
      exemptLoopback: true,
    });
    for (let i = 0; i < 5; i++) {
      exempt.service.callGate({ identity: alice, address: '127.0.0.1' }).admitCall();
      exempt.service.admitMint('::1');
    }
    const counted = limits({ callsPerSecondPerIp: 1, exemptLoopback: false });
    counted.service.callGate({ identity: alice, address: '127.0.0.1' }).admitCall();
    const again = () => counted.service.callGate({ identity: bob, address: '127.0.0.1' });
    expect(refusal(() => again().admitCall()).code).toBe('RATE_LIMITED');
  });

  it('applies the per-identity limits to loopback peers even when loopback is exempt', () => {
    const { service } = limits({ callsPerSecondPerIdentity: 1, exemptLoopback: true });
    const gate = service.callGate({ identity: alice, address: '127.0.0.1' });
    gate.admitCall();
    expect(refusal(() => gate.admitCall()).code).toBe('RATE_LIMITED');
  });

  it('limits identities minted per minute per address, with a whole-second Retry-After', () => {
    const { service, advance } = limits({ identitiesPerMinutePerIp: 3 });
    for (let i = 0; i < 3; i++) service.admitMint('198.51.100.1');
    const err = refusal(() => service.admitMint('198.51.100.1'));
    expect(err.code).toBe('RATE_LIMITED');
    // 3 a minute: the next one is there 20 s after the last refill started.
    expect(err.retryAfterSec).toBe(20);
    expect(err.message).toContain('--rate-limit-identities-per-ip');
    service.admitMint('198.51.100.2');
    advance(20_000);
    service.admitMint('198.51.100.1');
  });

  it('caps open connections per identity and per address, and frees slots on release', () => {
    const { service } = limits({ connectionsPerIdentity: 2, connectionsPerIp: 3 });
    const here = '198.51.100.1';
    const s1 = service.openConnection({ identity: alice, address: here });
    service.openConnection({ identity: alice, address: here });
    const err = refusal(() => service.openConnection({ identity: alice, address: here }));
    expect(err.code).toBe('CONNECTION_LIMIT');
    expect(err.status).toBe(429);
    expect(err.details).toMatchObject({ limit: 'connections-per-identity', max: 2 });
    expect(service.connectionsOf(alice)).toBe(2);
    service.openConnection({ identity: bob, address: here });
    const byIp = refusal(() => service.openConnection({ identity: bob, address: here }));
    expect(byIp.details).toMatchObject({ limit: 'connections-per-ip', max: 3 });
    // The identity slot taken before the address refused is given back.
    expect(service.connectionsOf(bob)).toBe(1);
    service.openConnection({ identity: bob, address: '198.51.100.2' });
    s1.release();
    s1.release(); // idempotent
    expect(service.connectionsOf(alice)).toBe(1);
    service.openConnection({ identity: alice, address: here });
    expect(refusal(() => service.openConnection({ identity: alice, address: here })).code).toBe(
      'CONNECTION_LIMIT',
    );
  });

  it('caps databases per identity, counting publishes still running', () => {
    const { service } = limits({ databasesPerIdentity: 2 });
    const first = service.reserveDatabase(alice, 0);
    const second = service.reserveDatabase(alice, 0);
    const err = refusal(() => service.reserveDatabase(alice, 0));
    expect(err.code).toBe('DATABASE_LIMIT');
    expect(err.status).toBe(403);
    expect(err.retryAfterSec).toBeUndefined();
    expect(err.message).toBe(
      'over the limit of 2 databases owned by one identity (--max-databases-per-identity)',
    );
    first();
    first(); // idempotent
    second();
    service.reserveDatabase(alice, 1)();
    expect(refusal(() => service.reserveDatabase(alice, 2)).code).toBe('DATABASE_LIMIT');
    service.reserveDatabase(bob, 1)();
  });

  it('does nothing when every limit is 0', () => {
    const { service } = limits({});
    const gate = service.callGate({ identity: alice, address: '198.51.100.1' });
    for (let i = 0; i < 1000; i++) {
      gate.admitCall();
      service.admitMint('198.51.100.1');
      service.openConnection({ identity: alice, address: '198.51.100.1' });
      service.reserveDatabase(alice, i);
    }
    expect(service.trackedKeys).toBe(0);
  });

  it('tracks at most maxKeys keys per table, however many callers come', () => {
    const { service } = limits({
      callsPerSecondPerIdentity: 5,
      callsPerSecondPerIp: 5,
      maxKeys: 64,
    });
    for (let i = 0; i < 1000; i++) {
      const address = `10.0.${i >> 8}.${i & 255}`;
      service.callGate({ identity: Identity.random(), address }).admitCall();
    }
    expect(service.trackedKeys).toBe(128);
  });
});
