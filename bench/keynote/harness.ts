/**
 * The keynote harness: for every α, precomputes the account pairs once, then for every target
 * starts a fresh seeded server, drives it with the load generator (warm-up, then the timed
 * window), stops it, and checks the balances. Collects everything into one report.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBalances } from './check.js';
import { onExit } from './cleanup.js';
import { runLoad, type Progress } from './load.js';
import type { KeynoteOptions } from './options.js';
import { findPostgres } from './pg-cluster.js';
import type { KeynoteReport, Machine, RunRecord } from './report-types.js';
import { resultSvg } from './report-svg.js';
import { lmdbRawTarget } from './target-lmdb-raw.js';
import { nodePgTarget } from './target-node-pg.js';
import { wasmbaseTarget } from './target-wasmbase.js';
import type { Target, TargetName, TargetRun } from './target.js';
import { precomputePairs } from './zipf.js';

export interface HarnessIo {
  /** Progress and status lines (stderr in the CLI). */
  readonly say: (line: string) => void;
}

export interface KeynoteOutcome {
  readonly report: KeynoteReport;
  /** Paths written (JSON, SVG), if any. */
  readonly files: readonly string[];
  /** True when every run that was not skipped succeeded and passed its check. */
  readonly ok: boolean;
}

function machine(postgres: string | undefined, loadAtStart: number): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.versions.node,
    ...(postgres === undefined ? {} : { postgres }),
    loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
  };
}

function progressLine(label: string, p: Progress): string {
  const f = (n: number) => n.toLocaleString('en-US');
  return `  [${label}] ${String(p.second).padStart(3)} s  ${f(p.tps).padStart(9)} tps  ok ${f(p.ok)}  failed ${f(p.failed)}  in flight ${f(p.inflight)}${p.warmingUp ? '  (warm-up)' : ''}`;
}

/** Runs the benchmark described by `options`; never throws for a failing target (it is recorded). */
export async function runKeynote(
  options: KeynoteOptions,
  io: HarnessIo,
  command = 'npm run bench:keynote',
): Promise<KeynoteOutcome> {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg()[0]!;
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'wasmbase-keynote-'));
  const forgetTemp = onExit(() => rmSync(tempDir, { recursive: true, force: true }));
  const targets: Target[] = [];
  const skipped = new Map<TargetName, string>();
  let pg: ReturnType<typeof nodePgTarget> | undefined;
  for (const name of options.targets) {
    if (name === 'wasmbase') {
      targets.push(
        wasmbaseTarget({
          workers: options.workers,
          ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
        }),
      );
    } else if (name === 'lmdb-raw') {
      targets.push(lmdbRawTarget());
    } else {
      const found = findPostgres();
      if (found.found) {
        pg = nodePgTarget({ binDir: found.binDir, poolSize: options.pgPool });
        targets.push(pg);
      } else {
        skipped.set('node-pg', found.reason);
        io.say(`node-pg: SKIPPED — ${found.reason}`);
      }
    }
  }
  const runs: RunRecord[] = [];
  try {
    for (const alpha of options.alphas) {
      const t = performance.now();
      const pairs = precomputePairs(options.accounts, alpha, options.pairs);
      io.say(
        `α=${alpha}: ${options.pairs.toLocaleString('en-US')} account pairs over ${options.accounts.toLocaleString('en-US')} accounts precomputed in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      for (const name of options.targets) {
        const target = targets.find(x => x.name === name);
        if (target === undefined) {
          runs.push({
            alpha,
            target: name,
            status: 'skipped',
            reason: skipped.get(name) ?? 'not available',
          });
          continue;
        }
        runs.push(await runOne(target, alpha, pairs, options, tempDir, io));
      }
    }
  } finally {
    for (const target of targets) {
      try {
        await target.close();
      } catch (err) {
        io.say(
          `${target.name}: cleanup failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    rmSync(tempDir, { recursive: true, force: true });
    forgetTemp();
  }
  const report: KeynoteReport = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    command,
    machine: machine(pg?.postgresVersion(), loadAtStart),
    options: { ...options, initial: String(options.initial) },
    targets: options.targets.map(name => ({
      name,
      description:
        targets.find(t => t.name === name)?.description ?? `skipped: ${skipped.get(name) ?? ''}`,
    })),
    runs,
  };
  const files: string[] = [];
  if (options.outDir !== undefined) {
    mkdirSync(options.outDir, { recursive: true });
    const json = path.join(options.outDir, 'keynote.json');
    writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
    const svg = path.join(options.outDir, 'keynote.svg');
    writeFileSync(svg, resultSvg(report));
    files.push(json, svg);
  }
  const ok = runs.every(r => r.status === 'skipped' || (r.status === 'ok' && r.check?.ok === true));
  return { report, files, ok };
}

async function runOne(
  target: Target,
  alpha: number,
  pairs: Uint32Array,
  options: KeynoteOptions,
  tempDir: string,
  io: HarnessIo,
): Promise<RunRecord> {
  const label = `${target.name} α=${alpha}`;
  io.say(
    `${label}: starting (${options.accounts.toLocaleString('en-US')} accounts, ${options.clients} clients × ${options.inflight} in flight, ${options.warmup} s warm-up + ${options.seconds} s)`,
  );
  let run: TargetRun | undefined;
  try {
    run = await target.start({
      accounts: options.accounts,
      initial: options.initial,
      batchMaxCalls: options.batch,
      tempDir,
      label: `alpha-${alpha}`,
      say: io.say,
    });
    const load = await runLoad(
      {
        connection: run.connection,
        clients: options.clients,
        inflight: options.inflight,
        threads: options.threads,
        pairs,
        accounts: options.accounts,
        warmupMs: options.warmup * 1000,
        windowMs: options.seconds * 1000,
        opTimeoutMs: options.opTimeoutSec * 1000,
      },
      p => io.say(progressLine(label, p)),
    );
    const finishing = run;
    run = undefined;
    const balances = await finishing.finish();
    // The exact per-account check needs every call's fate to be known.
    const check = checkBalances(
      balances,
      options.accounts,
      options.initial,
      load.unanswered === 0 ? load.deltas : null,
    );
    const l = load.latency;
    io.say(
      `${label}: ${Math.round(load.tps).toLocaleString('en-US')} TPS, p50 ${l.p50Ms.toFixed(2)} ms, p95 ${l.p95Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms; ` +
        `${load.failed} failed, ${load.unanswered} unanswered; check ${check.ok ? 'ok' : `FAILED: ${check.problems.join('; ')}`}`,
    );
    for (const [message, n] of Object.entries(load.errors).slice(0, 5))
      io.say(`  ${label}: ${n} × ${message}`);
    return {
      alpha,
      target: target.name,
      status: 'ok',
      tps: load.tps,
      okInWindow: load.okInWindow,
      failedInWindow: load.failedInWindow,
      unanswered: load.unanswered,
      latency: load.latency,
      perSecond: load.perSecond,
      warmupSeconds: load.warmupSeconds,
      errors: load.errors,
      check,
    };
  } catch (err) {
    let reason = err instanceof Error ? err.message : String(err);
    if (run !== undefined) {
      const tail = run.output().trim().split('\n').slice(-20).join('\n');
      if (tail !== '') reason += `\n--- ${target.name} server output (tail) ---\n${tail}`;
      await run.abort().catch(() => undefined);
    }
    io.say(`${label}: FAILED — ${reason}`);
    return { alpha, target: target.name, status: 'failed', reason };
  }
}
