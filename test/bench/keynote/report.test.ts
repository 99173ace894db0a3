import { describe, expect, it } from 'vitest';
import type { KeynoteReport, RunRecord } from '../../../bench/keynote/report-types.js';
import { resultSvg } from '../../../bench/keynote/report-svg.js';
import {
  percent,
  protocolTable,
  ratio,
  resultTable,
  tpsOf,
} from '../../../bench/keynote/report-table.js';
import type { WasmbaseProtocol } from '../../../bench/keynote/target.js';

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
  protocol: WasmbaseProtocol | undefined,
  tps: number,
  p50: number,
  p99: number,
): RunRecord => ({
  alpha,
  target,
  ...(protocol === undefined ? {} : { protocol }),
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
  version: 2,
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
    { name: 'wasmbase-sdk', description: 's' },
    { name: 'node-pg', description: 'p' },
    { name: 'lmdb-raw', description: 'r' },
  ],
  runs: [
    run(0, 'wasmbase', 'v1', 30_000, 5, 12),
    run(0, 'wasmbase', 'v2', 29_100, 5, 12),
    run(0, 'wasmbase-sdk', 'v2', 15_000, 9, 20),
    run(0, 'node-pg', undefined, 1_000, 50, 300),
    run(0, 'lmdb-raw', undefined, 40_000, 4, 9),
    run(1.5, 'wasmbase', 'v1', 31_000, 5, 11),
    { alpha: 1.5, target: 'wasmbase', protocol: 'v2', status: 'failed', reason: 'boom\nmore' },
    run(1.5, 'wasmbase-sdk', 'v2', 16_000, 9, 19),
    { alpha: 1.5, target: 'node-pg', status: 'skipped', reason: 'PostgreSQL is not installed' },
    run(1.5, 'lmdb-raw', undefined, 39_000, 4, 10),
  ],
};

describe('keynote report', () => {
  it('tabulates TPS, percentiles and ratios, per protocol', () => {
    const table = resultTable(report);
    expect(table).toContain(
      '| 0 | wasmbase | v1 | 30,000 | 5.00 | 10.8 | 12.0 | 100.0% | 30.0× | 75% | 0 | ' +
        'ok (sum, ≥ 0, exact) |',
    );
    expect(table).toContain(
      '| 0 | wasmbase | v2 | 29,100 | 5.00 | 10.8 | 12.0 | 97.0% | 29.1× | 73% |',
    );
    expect(table).toContain(
      '| 0 | wasmbase-sdk | v2 | 15,000 | 9.00 | 18.0 | 20.0 | 50.0% | 15.0× |',
    );
    expect(table).toContain('| 0 | node-pg | – | 1,000 | 50.0 | 270 | 300 | – | 1× | 3% |');
    expect(table).toContain(
      '| 1.5 | wasmbase | v1 | 31,000 | 5.00 | 9.90 | 11.0 | 100.0% | – | 79% |',
    );
    expect(table).toContain('| 1.5 | wasmbase | v2 | failed |' + '  |'.repeat(7) + ' boom |');
    expect(table).toContain('| 1.5 | node-pg | – | skipped |');
    expect(ratio(316_000, 1_000)).toBe('316×');
    expect(ratio(1, undefined)).toBe('–');
    expect(percent(1, 3, 1)).toBe('33.3%');
  });

  it('sets the protocols of each target side by side', () => {
    const table = protocolTable(report)!;
    const lines = table.split('\n');
    expect(lines[0]).toBe(
      '| α | target | v1 TPS | v2 TPS | v1 vs wasmbase v1 | v2 vs wasmbase v1 |',
    );
    expect(lines.slice(2)).toEqual([
      '| 0 | wasmbase | 30,000 | 29,100 | 100.0% | 97.0% |',
      '| 0 | wasmbase-sdk | – | 15,000 | – | 50.0% |',
      '| 1.5 | wasmbase | 31,000 | – | 100.0% | – |',
      '| 1.5 | wasmbase-sdk | – | 16,000 | – | 51.6% |',
    ]);
    expect(resultTable(report)).toContain(`\n\n${table}`);
    const noProtocols = { ...report, runs: report.runs.filter(r => r.protocol === undefined) };
    expect(protocolTable(noProtocols)).toBeUndefined();
    expect(tpsOf(report.runs, 0, 'wasmbase', 'v2')).toBe(29_100);
    expect(tpsOf(report.runs, 1.5, 'wasmbase', 'v2')).toBeUndefined();
  });

  it('draws an SVG with a bar per run and escaped text', () => {
    const svg = resultSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Test CPU &lt;x&gt;');
    expect(svg).toContain('>30k<');
    expect(svg).toContain('>29k<');
    expect(svg).toContain('>n/a<');
    expect(svg).toContain('α = 1.5');
    for (const series of ['wasmbase v1', 'wasmbase v2', 'wasmbase-sdk v2', 'node-pg', 'lmdb-raw'])
      expect(svg).toContain(`>${series}<`);
    expect(svg).toContain('load average 0.5 → 1.3');
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
