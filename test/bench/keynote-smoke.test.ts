/**
 * Keeps the keynote harness from rotting: every target runs for about two seconds on tiny data
 * (1,000 accounts, 4 clients × 8 calls in flight) at α = 1.5, the contended case — wasmbase once
 * per protocol (v1, v2, v3), the official SDK 2.x target with v2 and v3, node-pg and lmdb-raw —
 * and every run must complete transfers and pass the correctness check (sum unchanged, nothing
 * negative, each balance = seed + acknowledged transfers). Speed is not asserted. PostgreSQL must
 * be present (CI installs it in .ci/run); locally, WASMBASE_SKIP_PG=1 skips the node-pg target
 * with a printed reason (ignored under CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKeynote } from '../../bench/keynote/harness.js';
import { DEFAULT_OPTIONS } from '../../bench/keynote/options.js';
import { findPostgres } from '../../bench/keynote/pg-cluster.js';
import type { KeynoteReport } from '../../bench/keynote/report-types.js';
import { seriesName } from '../../bench/keynote/run-plan.js';
import { PROTOCOLS, TARGET_NAMES, type TargetName } from '../../bench/keynote/target.js';
import { tempDir } from '../helpers/temp-dir.js';

const skipPg = process.env['WASMBASE_SKIP_PG'] === '1' && process.env['CI'] === undefined;

describe('keynote harness (smoke)', () => {
  const outDir = tempDir('wasmbase-keynote-smoke-');

  it('runs every target and protocol; each completes transfers and passes the check', async () => {
    const pg = findPostgres();
    let targets: TargetName[] = [...TARGET_NAMES];
    if (skipPg) {
      process.stdout.write(
        `keynote smoke: node-pg SKIPPED because WASMBASE_SKIP_PG=1` +
          `${pg.found ? '' : ` (${pg.reason})`}\n`,
      );
      targets = targets.filter(t => t !== 'node-pg');
    } else if (!pg.found) {
      throw new Error(
        `keynote smoke: ${pg.reason}\nCI installs PostgreSQL in .ci/run; ` +
          'to skip the node-pg target locally, set WASMBASE_SKIP_PG=1.',
      );
    }
    const lines: string[] = [];
    const outcome = await runKeynote(
      {
        ...DEFAULT_OPTIONS,
        alphas: [1.5],
        accounts: 1_000,
        clients: 4,
        inflight: 8,
        seconds: 1.5,
        warmup: 0.5,
        pairs: 20_000,
        targets,
        protocols: PROTOCOLS,
        outDir,
      },
      { say: line => lines.push(line) },
      'keynote smoke test',
    );
    const log = lines.join('\n');
    for (const run of outcome.report.runs) {
      const where = `${run.target} ${run.protocol ?? ''} α=${run.alpha}\n${log}`;
      expect(run.status, where).toBe('ok');
      expect(run.okInWindow, where).toBeGreaterThan(0);
      expect(run.unanswered, where).toBe(0);
      expect(run.check?.problems, where).toEqual([]);
      expect(run.check?.accounts, where).toBe(1_000);
      expect(run.check?.sum, where).toBe(String(1_000n * DEFAULT_OPTIONS.initial));
      expect(run.check?.negative, where).toBe(0);
      expect(run.check?.mismatched, where).toBe(0);
      expect(Number.isFinite(run.latency?.p99Ms), where).toBe(true);
    }
    const series = [
      ...['v1', 'v2', 'v3'].map(p => `wasmbase ${p}`),
      ...['v2', 'v3'].map(p => `wasmbase-sdk ${p}`),
      'node-pg',
      'lmdb-raw',
    ].filter(name => targets.some(t => name.split(' ')[0] === t));
    expect(outcome.report.runs.map(r => seriesName(r.target, r.protocol))).toEqual(series);
    expect(outcome.ok).toBe(true);
    const json = path.join(outDir, 'keynote.json');
    const svg = path.join(outDir, 'keynote.svg');
    expect(outcome.files).toEqual([json, svg]);
    expect((JSON.parse(readFileSync(json, 'utf8')) as KeynoteReport).runs).toHaveLength(
      outcome.report.runs.length,
    );
    expect(existsSync(svg) && readFileSync(svg, 'utf8').startsWith('<svg')).toBe(true);
    process.stdout.write(
      `keynote smoke: ${outcome.report.runs
        .map(r => `${seriesName(r.target, r.protocol)} ${Math.round(r.tps ?? 0)} TPS`)
        .join(', ')}\n`,
    );
  }, 120_000);
});
