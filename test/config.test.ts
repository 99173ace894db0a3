/** The abuse-limit rows of the option table: defaults, flags and environment, 0 = off, booleans. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, OPTION_SPECS } from '../runtime/config.js';
import { WasmbaseError } from '../runtime/protocol/index.js';

describe('abuse limit options', () => {
  it('has generous defaults, loopback exempt from the per-address limits', () => {
    expect({
      callsPerIdentity: DEFAULT_CONFIG.rateLimitCallsPerIdentity,
      callsPerIp: DEFAULT_CONFIG.rateLimitCallsPerIp,
      connectionsPerIdentity: DEFAULT_CONFIG.maxConnectionsPerIdentity,
      connectionsPerIp: DEFAULT_CONFIG.maxConnectionsPerIp,
      identitiesPerIp: DEFAULT_CONFIG.rateLimitIdentitiesPerIp,
      databasesPerIdentity: DEFAULT_CONFIG.maxDatabasesPerIdentity,
      exemptLoopback: DEFAULT_CONFIG.rateLimitExemptLoopback,
      maxKeys: DEFAULT_CONFIG.rateLimitMaxKeys,
    }).toEqual({
      callsPerIdentity: 10_000,
      callsPerIp: 20_000,
      connectionsPerIdentity: 1024,
      connectionsPerIp: 2048,
      identitiesPerIp: 600,
      databasesPerIdentity: 1000,
      exemptLoopback: true,
      maxKeys: 100_000,
    });
  });

  it('reads each from its flag or its environment variable; 0 turns a limit off', () => {
    const cli = loadConfig({ rateLimitCallsPerIdentity: '0', maxDatabasesPerIdentity: '5' }, {});
    expect([cli.rateLimitCallsPerIdentity, cli.maxDatabasesPerIdentity]).toEqual([0, 5]);
    const env = loadConfig(
      {},
      {
        WASMBASE_MAX_CONNECTIONS_PER_IP: '7',
        WASMBASE_RATE_LIMIT_EXEMPT_LOOPBACK: 'false',
        WASMBASE_RATE_LIMIT_IDENTITIES_PER_IP: '1_000',
      },
    );
    expect([
      env.maxConnectionsPerIp,
      env.rateLimitExemptLoopback,
      env.rateLimitIdentitiesPerIp,
    ]).toEqual([7, false, 1000]);
  });

  it('refuses a bad value naming the flag', () => {
    const bad = (raw: Parameters<typeof loadConfig>[0]) => {
      try {
        loadConfig(raw, {});
      } catch (err) {
        if (err instanceof WasmbaseError) return [err.code, err.message];
      }
      return undefined;
    };
    expect(bad({ rateLimitExemptLoopback: 'yes' })).toEqual([
      'INVALID_ARGUMENT',
      'invalid --rate-limit-exempt-loopback: must be true or false, got "yes"',
    ]);
    expect(bad({ rateLimitCallsPerIp: '-1' })).toEqual([
      'INVALID_ARGUMENT',
      'invalid --rate-limit-calls-per-ip: must be between 0 and 100000000, got -1',
    ]);
  });

  it('gives every abuse limit a flag, a WASMBASE_ variable and help', () => {
    const keys = [
      'rateLimitCallsPerIdentity',
      'rateLimitCallsPerIp',
      'maxConnectionsPerIdentity',
      'maxConnectionsPerIp',
      'rateLimitIdentitiesPerIp',
      'maxDatabasesPerIdentity',
      'rateLimitExemptLoopback',
      'rateLimitMaxKeys',
    ];
    for (const key of keys) {
      const spec = OPTION_SPECS.find(s => s.key === key);
      expect(spec?.env, key).toMatch(/^WASMBASE_[A-Z_]+$/);
      expect(spec?.help.length, key).toBeGreaterThan(10);
    }
  });
});
