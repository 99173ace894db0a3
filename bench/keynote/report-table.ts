/**
 * @module
 * The results as Markdown: one row per run (TPS, latency percentiles, ratios vs node-pg and
 * lmdb-raw, and for wasmbase runs vs the wasmbase v1 run at the same α), then — when runs used
 * SpacetimeDB protocols — the TPS of each protocol side by side, one row per α and target.
 */
import type { KeynoteReport, RunRecord } from './report-types.js';
import { PROTOCOLS, type WasmbaseProtocol } from './target.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n < 10
      ? n.toFixed(2)
      : n < 100
        ? n.toFixed(1)
        : Math.round(n).toString();

/** TPS of `target` (speaking `protocol`, if given) at `alpha`, when that run succeeded. */
export function tpsOf(
  runs: readonly RunRecord[],
  alpha: number,
  target: string,
  protocol?: WasmbaseProtocol,
): number | undefined {
  const r = runs.find(
    x =>
      x.alpha === alpha &&
      x.target === target &&
      x.status === 'ok' &&
      (protocol === undefined || x.protocol === protocol),
  );
  return r?.tps;
}

/** "12.3×" — how many times `tps` is of `base`. */
export function ratio(tps: number | undefined, base: number | undefined): string {
  if (tps === undefined || base === undefined || base <= 0) return '–';
  const x = tps / base;
  return `${x >= 100 ? Math.round(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/** "79%" (or "97.3%" with one decimal) — `tps` as a share of `base`. */
export function percent(tps: number | undefined, base: number | undefined, decimals = 0): string {
  if (tps === undefined || base === undefined || base <= 0) return '–';
  return `${((tps / base) * 100).toFixed(decimals)}%`;
}

function checkCell(r: RunRecord): string {
  if (r.check === undefined) return '–';
  if (!r.check.ok) return `FAILED: ${r.check.problems.join('; ')}`;
  return r.check.mismatched === null ? 'ok (sum, ≥ 0)' : 'ok (sum, ≥ 0, exact)';
}

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

const RUN_COLUMNS = [
  'α',
  'target',
  'protocol',
  'TPS',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'vs wasmbase v1',
  'vs node-pg',
  'vs lmdb-raw',
  'failed calls',
  'check',
];

function runRow(r: RunRecord, runs: readonly RunRecord[]): string {
  const head = [String(r.alpha), r.target, r.protocol ?? '–'];
  if (r.status !== 'ok') {
    const reason = (r.reason ?? '').split('\n')[0]!.slice(0, 160);
    return row([...head, r.status, '', '', '', '', '', '', '', reason]);
  }
  const pg = tpsOf(runs, r.alpha, 'node-pg');
  const raw = tpsOf(runs, r.alpha, 'lmdb-raw');
  const v1 = tpsOf(runs, r.alpha, 'wasmbase', 'v1');
  return row([
    ...head,
    int(r.tps!),
    ms(r.latency?.p50Ms),
    ms(r.latency?.p95Ms),
    ms(r.latency?.p99Ms),
    r.protocol === undefined ? '–' : percent(r.tps, v1, 1),
    r.target === 'node-pg' ? '1×' : ratio(r.tps, pg),
    r.target === 'lmdb-raw' ? '100%' : percent(r.tps, raw),
    int((r.failedInWindow ?? 0) + (r.unanswered ?? 0)),
    checkCell(r),
  ]);
}

/** TPS per protocol side by side: one row per (α, target) that ran with protocols. */
export function protocolTable(report: KeynoteReport): string | undefined {
  const used = PROTOCOLS.filter(p => report.runs.some(r => r.protocol === p));
  if (used.length === 0) return undefined;
  const lines = [
    row(['α', 'target', ...used.map(p => `${p} TPS`), ...used.map(p => `${p} vs wasmbase v1`)]),
    row(['---:', '---', ...used.flatMap(() => ['---:', '---:'])]),
  ];
  const seen = new Set<string>();
  for (const r of report.runs) {
    const key = `${r.alpha}/${r.target}`;
    if (
      seen.has(key) ||
      !report.runs.some(
        x => x.alpha === r.alpha && x.target === r.target && x.protocol !== undefined,
      )
    )
      continue;
    seen.add(key);
    const v1 = tpsOf(report.runs, r.alpha, 'wasmbase', 'v1');
    const tps = used.map(p => tpsOf(report.runs, r.alpha, r.target, p));
    lines.push(
      row([
        String(r.alpha),
        r.target,
        ...tps.map(t => (t === undefined ? '–' : int(t))),
        ...tps.map(t => percent(t, v1, 1)),
      ]),
    );
  }
  return lines.join('\n');
}

export function resultTable(report: KeynoteReport): string {
  const lines = [
    row(RUN_COLUMNS),
    row(['---:', '---', '---', ...Array<string>(8).fill('---:'), '---']),
    ...report.runs.map(r => runRow(r, report.runs)),
  ];
  const perProtocol = protocolTable(report);
  return perProtocol === undefined ? lines.join('\n') : `${lines.join('\n')}\n\n${perProtocol}`;
}
