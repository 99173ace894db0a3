/**
 * The results as a hand-written SVG: TPS bars per target per α (linear axis, left) and latency
 * p50 / p99 bars per target per α (log axis, right), with the machine and command underneath.
 */
import type { KeynoteReport, RunRecord } from './report-types.js';
import type { TargetName } from './target.js';

const COLORS: Readonly<Record<TargetName, string>> = {
  wasmbase: '#1f77b4',
  'node-pg': '#e6862a',
  'lmdb-raw': '#6c6c6c',
};
const WIDTH = 1040;
const HEIGHT = 520;
const PANEL = { top: 80, height: 320, width: 440 };
const LEFT_X = 80;
const RIGHT_X = 580;

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
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}" ${extra}/>`;
}

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

export function resultSvg(report: KeynoteReport): string {
  const alphas = [...new Set(report.runs.map(r => r.alpha))];
  const targets = report.targets.map(t => t.name);
  const ok = (alpha: number, target: TargetName): RunRecord | undefined =>
    report.runs.find(r => r.alpha === alpha && r.target === target && r.status === 'ok');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(rect(0, 0, WIDTH, HEIGHT, '#ffffff'));
  out.push(
    text(
      WIDTH / 2,
      26,
      'Keynote transfer benchmark: wasmbase vs Node + PostgreSQL vs raw LMDB',
      'text-anchor="middle" font-size="17" font-weight="bold"',
    ),
  );
  // Legend.
  targets.forEach((t, i) => {
    const x = WIDTH / 2 - (targets.length * 120) / 2 + i * 120;
    out.push(rect(x, 40, 14, 14, COLORS[t]));
    out.push(text(x + 20, 52, t));
  });
  const groupWidth = PANEL.width / Math.max(1, alphas.length);
  const bottom = PANEL.top + PANEL.height;

  // Left: TPS, linear.
  const maxTps = Math.max(1, ...report.runs.filter(r => r.status === 'ok').map(r => r.tps ?? 0));
  const tpsTicks = linearTicks(maxTps);
  const tpsTop = tpsTicks[tpsTicks.length - 1]!;
  const yTps = (v: number) => bottom - (v / tpsTop) * PANEL.height;
  out.push(
    text(
      LEFT_X + PANEL.width / 2,
      PANEL.top - 12,
      'Transfers per second (higher is better)',
      'text-anchor="middle" font-weight="bold"',
    ),
  );
  for (const t of tpsTicks) {
    out.push(
      `<line x1="${LEFT_X}" x2="${LEFT_X + PANEL.width}" y1="${yTps(t).toFixed(1)}" y2="${yTps(t).toFixed(1)}" stroke="#e3e3e3"/>`,
    );
    out.push(text(LEFT_X - 6, yTps(t) + 4, short(t), 'text-anchor="end" fill="#555"'));
  }
  alphas.forEach((alpha, g) => {
    const x0 = LEFT_X + g * groupWidth;
    const barW = Math.min(60, (groupWidth * 0.8) / targets.length);
    const start = x0 + (groupWidth - barW * targets.length) / 2;
    targets.forEach((t, i) => {
      const r = ok(alpha, t);
      const x = start + i * barW;
      if (r?.tps === undefined) {
        out.push(
          text(x + barW / 2, bottom - 6, 'n/a', 'text-anchor="middle" fill="#999" font-size="10"'),
        );
        return;
      }
      out.push(rect(x + 2, yTps(r.tps), barW - 4, bottom - yTps(r.tps), COLORS[t]));
      out.push(
        text(x + barW / 2, yTps(r.tps) - 4, short(r.tps), 'text-anchor="middle" font-size="11"'),
      );
    });
    out.push(
      text(
        x0 + groupWidth / 2,
        bottom + 20,
        `α = ${alpha}`,
        'text-anchor="middle" font-weight="bold"',
      ),
    );
  });
  out.push(
    `<line x1="${LEFT_X}" x2="${LEFT_X + PANEL.width}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
  );

  // Right: latency p50 / p99, log scale.
  const lat = report.runs
    .filter(r => r.status === 'ok' && r.latency !== undefined)
    .flatMap(r => [r.latency!.p50Ms, r.latency!.p99Ms])
    .filter(v => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(1, ...lat)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(10, ...lat)));
  const yLat = (v: number) =>
    bottom -
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) *
      PANEL.height;
  out.push(
    text(
      RIGHT_X + PANEL.width / 2,
      PANEL.top - 12,
      'Latency in ms, p50 (solid) and p99 (light), log scale',
      'text-anchor="middle" font-weight="bold"',
    ),
  );
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    out.push(
      `<line x1="${RIGHT_X}" x2="${RIGHT_X + PANEL.width}" y1="${yLat(v).toFixed(1)}" y2="${yLat(v).toFixed(1)}" stroke="#e3e3e3"/>`,
    );
    out.push(text(RIGHT_X - 6, yLat(v) + 4, tickMs(v), 'text-anchor="end" fill="#555"'));
  }
  alphas.forEach((alpha, g) => {
    const x0 = RIGHT_X + g * groupWidth;
    const barW = Math.min(28, (groupWidth * 0.85) / (targets.length * 2));
    const start = x0 + (groupWidth - barW * 2 * targets.length) / 2;
    targets.forEach((t, i) => {
      const r = ok(alpha, t);
      const x = start + i * 2 * barW;
      if (r?.latency === undefined) {
        out.push(
          text(x + barW, bottom - 6, 'n/a', 'text-anchor="middle" fill="#999" font-size="10"'),
        );
        return;
      }
      const { p50Ms, p99Ms } = r.latency;
      out.push(rect(x + 1, yLat(p50Ms), barW - 2, bottom - yLat(p50Ms), COLORS[t]));
      out.push(
        rect(
          x + barW + 1,
          yLat(p99Ms),
          barW - 2,
          bottom - yLat(p99Ms),
          COLORS[t],
          'fill-opacity="0.4"',
        ),
      );
      out.push(
        text(x + barW / 2, yLat(p50Ms) - 4, ms(p50Ms), 'text-anchor="middle" font-size="9"'),
      );
      out.push(
        text(x + barW * 1.5, yLat(p99Ms) - 4, ms(p99Ms), 'text-anchor="middle" font-size="9"'),
      );
    });
    out.push(
      text(
        x0 + groupWidth / 2,
        bottom + 20,
        `α = ${alpha}`,
        'text-anchor="middle" font-weight="bold"',
      ),
    );
  });
  out.push(
    `<line x1="${RIGHT_X}" x2="${RIGHT_X + PANEL.width}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
  );

  // Footer: what ran where.
  const m = report.machine;
  const o = report.options;
  const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : String(x));
  out.push(
    text(
      40,
      HEIGHT - 70,
      `${n(o['accounts'])} accounts, ${o['clients']} clients × ${o['inflight']} in flight, ${o['warmup']} s warm-up + ${o['seconds']} s window, durable commits, batch ${o['batch']}`,
      'fill="#333"',
    ),
  );
  out.push(
    text(
      40,
      HEIGHT - 50,
      `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}${m.postgres === undefined ? '' : `, ${m.postgres}`}; load average ${m.loadAverage.start.toFixed(1)} → ${m.loadAverage.end.toFixed(1)}`,
      'fill="#333"',
    ),
  );
  out.push(
    text(
      40,
      HEIGHT - 30,
      `${report.command}   (${report.finishedAt.slice(0, 16).replace('T', ' ')} UTC)`,
      'fill="#333" font-family="monospace" font-size="11"',
    ),
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
