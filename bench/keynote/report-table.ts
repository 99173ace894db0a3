/** The results as a Markdown table: TPS, latency percentiles, ratios vs node-pg and lmdb-raw. */
import type { KeynoteReport, RunRecord } from './report-types.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n < 10
      ? n.toFixed(2)
      : n < 100
        ? n.toFixed(1)
        : Math.round(n).toString();

/** TPS of `target` at `alpha`, when that run succeeded. */
export function tpsOf(
  runs: readonly RunRecord[],
  alpha: number,
  target: string,
): number | undefined {
  const r = runs.find(x => x.alpha === alpha && x.target === target && x.status === 'ok');
  return r?.tps;
}

/** "12.3×" — how many times `tps` is of `base`. */
export function ratio(tps: number | undefined, base: number | undefined): string {
  if (tps === undefined || base === undefined || base <= 0) return '–';
  const x = tps / base;
  return `${x >= 100 ? Math.round(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

function percent(tps: number | undefined, base: number | undefined): string {
  if (tps === undefined || base === undefined || base <= 0) return '–';
  return `${Math.round((tps / base) * 100)}%`;
}

function checkCell(r: RunRecord): string {
  if (r.check === undefined) return '–';
  if (!r.check.ok) return `FAILED: ${r.check.problems.join('; ')}`;
  return r.check.mismatched === null ? 'ok (sum, ≥ 0)' : 'ok (sum, ≥ 0, exact)';
}

export function resultTable(report: KeynoteReport): string {
  const lines = [
    '| α | target | TPS | p50 ms | p95 ms | p99 ms | vs node-pg | vs lmdb-raw | failed calls | check |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of report.runs) {
    if (r.status !== 'ok') {
      lines.push(
        `| ${r.alpha} | ${r.target} | ${r.status} | | | | | | | ${(r.reason ?? '').split('\n')[0]!.slice(0, 160)} |`,
      );
      continue;
    }
    const pg = tpsOf(report.runs, r.alpha, 'node-pg');
    const raw = tpsOf(report.runs, r.alpha, 'lmdb-raw');
    lines.push(
      `| ${r.alpha} | ${r.target} | ${int(r.tps!)} | ${ms(r.latency?.p50Ms)} | ${ms(r.latency?.p95Ms)} | ${ms(r.latency?.p99Ms)} | ` +
        `${r.target === 'node-pg' ? '1×' : ratio(r.tps, pg)} | ${r.target === 'lmdb-raw' ? '100%' : percent(r.tps, raw)} | ` +
        `${int((r.failedInWindow ?? 0) + (r.unanswered ?? 0))} | ${checkCell(r)} |`,
    );
  }
  return lines.join('\n');
}
