import { describe, expect, it } from 'vitest';
import type { KeynoteReport, RunRecord } from '../../../bench/keynote/report-types.js';
import { resultSvg } from '../../../bench/keynote/report-svg.js';
import { ratio, resultTable } from '../../../bench/keynote/report-table.js';

const check = {
  ok: true,
  accounts: 10,
  expectedAccounts: 10,
  sum: '100',
  expectedSum: '100',
  negative: 0,
  mismatched: 0,
  problems: [],
};
const run = (
  alpha: number,
  target: RunRecord['target'],
  tps: number,
  p50: number,
  p99: number,
): RunRecord => ({
  alpha,
  target,
  status: 'ok',
  tps,
  okInWindow: tps,
  failedInWindow: 0,
  unanswered: 0,
  latency: { p50Ms: p50, p95Ms: p99 * 0.9, p99Ms: p99, meanMs: p50, maxMs: p99 },
  perSecond: [tps],
  warmupSeconds: 0,
  errors: {},
  check,
});
const report: KeynoteReport = {
  version: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
  command: 'npm run bench:keynote -- --seconds 1',
  machine: {
    cpuModel: 'Test CPU <x>',
    cpus: 2,
    memoryGiB: 8,
    os: 'Linux',
    node: '20.0.0',
    loadAverage: { start: 0.5, end: 1.25 },
  },
  options: { accounts: 10, clients: 1, inflight: 1, warmup: 0, seconds: 1, batch: 512 },
  targets: [
    { name: 'wasmbase', description: 'w' },
    { name: 'node-pg', description: 'p' },
    { name: 'lmdb-raw', description: 'r' },
  ],
  runs: [
    run(0, 'wasmbase', 30_000, 5, 12),
    run(0, 'node-pg', 1_000, 50, 300),
    run(0, 'lmdb-raw', 40_000, 4, 9),
    run(1.5, 'wasmbase', 31_000, 5, 11),
    { alpha: 1.5, target: 'node-pg', status: 'skipped', reason: 'PostgreSQL is not installed' },
    run(1.5, 'lmdb-raw', 39_000, 4, 10),
  ],
};

describe('keynote report', () => {
  it('tabulates TPS, percentiles and ratios', () => {
    const table = resultTable(report);
    expect(table).toContain(
      '| 0 | wasmbase | 30,000 | 5.00 | 10.8 | 12.0 | 30.0× | 75% | 0 | ok (sum, ≥ 0, exact) |',
    );
    expect(table).toContain('| 0 | node-pg | 1,000 | 50.0 | 270 | 300 | 1× | 3% |');
    expect(table).toContain('| 1.5 | wasmbase | 31,000 | 5.00 | 9.90 | 11.0 | – | 79% |');
    expect(table).toContain('| 1.5 | node-pg | skipped |');
    expect(ratio(316_000, 1_000)).toBe('316×');
    expect(ratio(1, undefined)).toBe('–');
  });

  it('draws an SVG with a bar per run and escaped text', () => {
    const svg = resultSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Test CPU &lt;x&gt;');
    expect(svg).toContain('>30k<');
    expect(svg).toContain('>n/a<');
    expect(svg).toContain('α = 1.5');
    expect(svg).toContain('load average 0.5 → 1.3');
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
