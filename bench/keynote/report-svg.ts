/**
 * @module
 * The results as a hand-written SVG: TPS bars per series per α (linear axis, left) and latency
 * p50 / p99 bars per series per α (log axis, right), with the machine and command underneath.
 * A series is a target, or a target with a protocol (`wasmbase v1`, `wasmbase-sdk v3`), so the
 * protocols of one run stand side by side; the panels widen with the number of bars.
 */
import type { KeynoteReport, RunRecord } from './report-types.js';
import { seriesName } from './run-plan.js';

const COLORS: Readonly<Record<string, string>> = {
  wasmbase: '#1f77b4',
  'wasmbase v1': '#1f77b4',
  'wasmbase v2': '#4f9bd9',
  'wasmbase v3': '#9ac4ea',
  'wasmbase-sdk v2': '#2ca02c',
  'wasmbase-sdk v3': '#8fd18f',
  'node-pg': '#e6862a',
  'lmdb-raw': '#6c6c6c',
};
const FALLBACK_COLOR = '#9467bd';
const PANEL = { top: 80, height: 320, minWidth: 440, perBar: 64 };
const LEFT_X = 80;
const GAP = 60;

interface Layout {
  readonly alphas: readonly number[];
  readonly series: readonly string[];
  readonly panelWidth: number;
  readonly bottom: number;
  /** The successful run of `series` at `alpha`. */
  readonly ok: (alpha: number, series: string) => RunRecord | undefined;
}

const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): string {
  const size = `width="${Math.max(0, w).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}"`;
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${size} fill="${fill}" ${extra}/>`;
}

function hline(x1: number, x2: number, y: number, stroke: string): string {
  const at = y.toFixed(1);
  return `<line x1="${x1}" x2="${x2}" y1="${at}" y2="${at}" stroke="${stroke}"/>`;
}

const color = (series: string) => COLORS[series] ?? FALLBACK_COLOR;

function short(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return Math.round(n).toString();
}

/** Round numbers for a linear axis from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * magnitude).find(s => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 0.999 && ticks.length < 12; t += step) ticks.push(t);
  return ticks;
}

/** A latency label: "0.42", "8.5", "426", "11.9s". */
function ms(n: number): string {
  return n < 1
    ? n.toFixed(2)
    : n < 10
      ? n.toFixed(1)
      : n < 1000
        ? Math.round(n).toString()
        : `${(n / 1000).toFixed(1)}s`;
}

/** A latency axis label for a power of ten: "0.1", "1", "10", "100", "1 s", "10 s". */
function tickMs(n: number): string {
  return n >= 1000 ? `${n / 1000} s` : String(Number(n.toPrecision(1)));
}

function layout(report: KeynoteReport): Layout {
  const alphas = [...new Set(report.runs.map(r => r.alpha))];
  const series = [...new Set(report.runs.map(r => seriesName(r.target, r.protocol)))];
  const bars = Math.max(1, alphas.length * series.length);
  return {
    alphas,
    series,
    panelWidth: Math.max(PANEL.minWidth, bars * PANEL.perBar),
    bottom: PANEL.top + PANEL.height,
    ok: (alpha, name) =>
      report.runs.find(
        r => r.alpha === alpha && seriesName(r.target, r.protocol) === name && r.status === 'ok',
      ),
  };
}

function alphaLabels(l: Layout, x: number): string[] {
  const groupWidth = l.panelWidth / Math.max(1, l.alphas.length);
  return [
    ...l.alphas.map((alpha, g) =>
      text(
        x + g * groupWidth + groupWidth / 2,
        l.bottom + 20,
        `α = ${alpha}`,
        'text-anchor="middle" font-weight="bold"',
      ),
    ),
    `<line x1="${x}" x2="${x + l.panelWidth}" y1="${l.bottom}" y2="${l.bottom}" stroke="#333"/>`,
  ];
}

function tpsPanel(report: KeynoteReport, l: Layout, x: number): string[] {
  const out: string[] = [];
  const maxTps = Math.max(1, ...report.runs.filter(r => r.status === 'ok').map(r => r.tps ?? 0));
  const ticks = linearTicks(maxTps);
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => l.bottom - (v / top) * PANEL.height;
  const title = 'Transfers per second (higher is better)';
  out.push(
    text(x + l.panelWidth / 2, PANEL.top - 12, title, 'text-anchor="middle" font-weight="bold"'),
  );
  for (const t of ticks) {
    out.push(hline(x, x + l.panelWidth, y(t), '#e3e3e3'));
    out.push(text(x - 6, y(t) + 4, short(t), 'text-anchor="end" fill="#555"'));
  }
  const groupWidth = l.panelWidth / Math.max(1, l.alphas.length);
  const barW = Math.min(60, (groupWidth * 0.8) / l.series.length);
  l.alphas.forEach((alpha, g) => {
    const start = x + g * groupWidth + (groupWidth - barW * l.series.length) / 2;
    l.series.forEach((s, i) => {
      const r = l.ok(alpha, s);
      const bx = start + i * barW;
      if (r?.tps === undefined) {
        out.push(
          text(
            bx + barW / 2,
            l.bottom - 6,
            'n/a',
            'text-anchor="middle" fill="#999" font-size="10"',
          ),
        );
        return;
      }
      out.push(rect(bx + 2, y(r.tps), barW - 4, l.bottom - y(r.tps), color(s)));
      out.push(
        text(bx + barW / 2, y(r.tps) - 4, short(r.tps), 'text-anchor="middle" font-size="11"'),
      );
    });
  });
  return [...out, ...alphaLabels(l, x)];
}

function latencyPanel(report: KeynoteReport, l: Layout, x: number): string[] {
  const out: string[] = [];
  const lat = report.runs
    .filter(r => r.status === 'ok' && r.latency !== undefined)
    .flatMap(r => [r.latency!.p50Ms, r.latency!.p99Ms])
    .filter(v => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(1, ...lat)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(10, ...lat)));
  const span = Math.log10(hi) - Math.log10(lo);
  const y = (v: number) =>
    l.bottom - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * PANEL.height;
  const title = 'Latency in ms, p50 (solid) and p99 (light), log scale';
  out.push(
    text(x + l.panelWidth / 2, PANEL.top - 12, title, 'text-anchor="middle" font-weight="bold"'),
  );
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    out.push(hline(x, x + l.panelWidth, y(v), '#e3e3e3'));
    out.push(text(x - 6, y(v) + 4, tickMs(v), 'text-anchor="end" fill="#555"'));
  }
  const groupWidth = l.panelWidth / Math.max(1, l.alphas.length);
  const barW = Math.min(28, (groupWidth * 0.85) / (l.series.length * 2));
  l.alphas.forEach((alpha, g) => {
    const start = x + g * groupWidth + (groupWidth - barW * 2 * l.series.length) / 2;
    l.series.forEach((s, i) => {
      const r = l.ok(alpha, s);
      const bx = start + i * 2 * barW;
      if (r?.latency === undefined) {
        out.push(
          text(bx + barW, l.bottom - 6, 'n/a', 'text-anchor="middle" fill="#999" font-size="10"'),
        );
        return;
      }
      const { p50Ms, p99Ms } = r.latency;
      out.push(rect(bx + 1, y(p50Ms), barW - 2, l.bottom - y(p50Ms), color(s)));
      out.push(
        rect(
          bx + barW + 1,
          y(p99Ms),
          barW - 2,
          l.bottom - y(p99Ms),
          color(s),
          'fill-opacity="0.4"',
        ),
      );
      out.push(text(bx + barW / 2, y(p50Ms) - 4, ms(p50Ms), 'text-anchor="middle" font-size="9"'));
      out.push(
        text(bx + barW * 1.5, y(p99Ms) - 4, ms(p99Ms), 'text-anchor="middle" font-size="9"'),
      );
    });
  });
  return [...out, ...alphaLabels(l, x)];
}

function footer(report: KeynoteReport, height: number): string[] {
  const m = report.machine;
  const o = report.options;
  const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : String(x));
  return [
    text(
      40,
      height - 70,
      `${n(o['accounts'])} accounts, ${o['clients']} clients × ${o['inflight']} in flight, ` +
        `${o['warmup']} s warm-up + ${o['seconds']} s window, durable commits, batch ${o['batch']}`,
      'fill="#333"',
    ),
    text(
      40,
      height - 50,
      `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}` +
        (m.postgres === undefined ? '' : `, ${m.postgres}`) +
        `; load average ${m.loadAverage.start.toFixed(1)} → ${m.loadAverage.end.toFixed(1)}`,
      'fill="#333"',
    ),
    text(
      40,
      height - 30,
      `${report.command}   (${report.finishedAt.slice(0, 16).replace('T', ' ')} UTC)`,
      'fill="#333" font-family="monospace" font-size="11"',
    ),
  ];
}

export function resultSvg(report: KeynoteReport): string {
  const l = layout(report);
  const width = LEFT_X + 2 * l.panelWidth + GAP + 40;
  const height = 520;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    rect(0, 0, width, height, '#ffffff'),
    text(
      width / 2,
      26,
      'Keynote transfer benchmark: wasmbase vs Node + PostgreSQL vs raw LMDB',
      'text-anchor="middle" font-size="17" font-weight="bold"',
    ),
  ];
  const legendStep = 130;
  l.series.forEach((s, i) => {
    const x = width / 2 - (l.series.length * legendStep) / 2 + i * legendStep;
    out.push(rect(x, 40, 14, 14, color(s)));
    out.push(text(x + 20, 52, s));
  });
  out.push(...tpsPanel(report, l, LEFT_X));
  out.push(...latencyPanel(report, l, LEFT_X + l.panelWidth + GAP));
  out.push(...footer(report, height));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
