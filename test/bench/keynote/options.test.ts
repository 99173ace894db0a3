import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseOptions } from '../../../bench/keynote/options.js';

describe('bench:keynote options', () => {
  it('defaults to the keynote workload', () => {
    expect(parseOptions([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({
      alphas: [0, 1.5],
      clients: 64,
      inflight: 40,
      accounts: 100_000,
      targets: ['wasmbase', 'wasmbase-sdk', 'node-pg', 'lmdb-raw'],
      protocols: ['v1', 'v3'],
    });
  });

  it('parses every flag', () => {
    const o = parseOptions([
      '--alpha',
      '1.5',
      '--clients',
      '4',
      '--inflight',
      '8',
      '--seconds',
      '2',
      '--warmup',
      '0.5',
      '--accounts',
      '1_000',
      '--targets',
      'lmdb-raw,node-pg',
      '--protocol',
      'v3, v1,v2',
      '--batch',
      '64',
      '--no-out',
      '--profile',
      'p',
    ]);
    expect(o).toMatchObject({
      alphas: [1.5],
      clients: 4,
      inflight: 8,
      seconds: 2,
      warmup: 0.5,
      accounts: 1_000,
      targets: ['lmdb-raw', 'node-pg'],
      protocols: ['v3', 'v1', 'v2'],
      batch: 64,
      outDir: undefined,
      profileDir: 'p',
    });
    expect(parseOptions(['-h'])).toBe('help');
  });
});

describe('bench:keynote option errors', () => {
  it('names the bad flag', () => {
    expect(() => parseOptions(['--clients', 'many'])).toThrow(
      'invalid --clients: expected an integer, got "many"',
    );
    expect(() => parseOptions(['--clients', '0'])).toThrow(
      'invalid --clients: must be between 1 and 1024, got 0',
    );
    expect(() => parseOptions(['--alpha', '0,x'])).toThrow(
      'invalid --alpha: expected a number, got "x"',
    );
    expect(() => parseOptions(['--targets', 'wasmbase,mysql'])).toThrow(
      'invalid --targets: unknown "mysql" (known: wasmbase, wasmbase-sdk, node-pg, lmdb-raw)',
    );
    expect(() => parseOptions(['--targets', 'wasmbase,wasmbase'])).toThrow(
      'invalid --targets: a name is listed twice',
    );
    expect(() => parseOptions(['--protocol', 'v4'])).toThrow(
      'invalid --protocol: unknown "v4" (known: v1, v2, v3)',
    );
    expect(() => parseOptions(['--protocol', ''])).toThrow('invalid --protocol: unknown ""');
    expect(() => parseOptions(['--protocol', 'v2,v2'])).toThrow(
      'invalid --protocol: a name is listed twice',
    );
    expect(() => parseOptions(['--initial=-3'])).toThrow('invalid --initial');
    expect(() => parseOptions(['--accounts', '10000000', '--initial', '999999999999999'])).toThrow(
      'below 2^62',
    );
    expect(() => parseOptions(['--bogus'])).toThrow(/bogus/);
  });
});
