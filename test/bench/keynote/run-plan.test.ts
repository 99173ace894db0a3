import { describe, expect, it } from 'vitest';
import { planRuns, seriesName } from '../../../bench/keynote/run-plan.js';
import type { TargetName, WasmbaseProtocol } from '../../../bench/keynote/target.js';

const speaks = new Map<TargetName, readonly WasmbaseProtocol[]>([
  ['wasmbase', ['v1', 'v2', 'v3']],
  ['wasmbase-sdk', ['v2', 'v3']],
  ['lmdb-raw', []],
]);
const unavailable = new Map<TargetName, string>([['node-pg', 'PostgreSQL is not installed']]);

describe('keynote run plan', () => {
  it('runs each target once, and each protocol it speaks in the order asked', () => {
    expect(
      planRuns({
        targets: ['lmdb-raw', 'wasmbase-sdk', 'wasmbase', 'node-pg'],
        protocols: ['v3', 'v1', 'v2'],
        speaks,
        unavailable,
      }),
    ).toEqual([
      { target: 'lmdb-raw', protocol: undefined },
      { target: 'wasmbase-sdk', protocol: 'v3' },
      { target: 'wasmbase-sdk', protocol: 'v2' },
      { target: 'wasmbase', protocol: 'v3' },
      { target: 'wasmbase', protocol: 'v1' },
      { target: 'wasmbase', protocol: 'v2' },
      { target: 'node-pg', skip: 'PostgreSQL is not installed' },
    ]);
  });

  it('skips, saying why, a target that speaks none of the protocols asked', () => {
    expect(
      planRuns({ targets: ['wasmbase-sdk', 'wasmbase'], protocols: ['v1'], speaks, unavailable }),
    ).toEqual([
      { target: 'wasmbase-sdk', skip: 'wasmbase-sdk speaks v2, v3; --protocol asked for v1' },
      { target: 'wasmbase', protocol: 'v1' },
    ]);
    expect(
      planRuns({ targets: ['node-pg'], protocols: ['v1'], speaks, unavailable: new Map() }),
    ).toEqual([{ target: 'node-pg', skip: 'not available' }]);
  });

  it('names series by target and protocol', () => {
    expect(seriesName('wasmbase', 'v2')).toBe('wasmbase v2');
    expect(seriesName('node-pg', undefined)).toBe('node-pg');
  });
});
