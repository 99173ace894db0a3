/**
 * @module
 * The keynote harness: for every α, precomputes the account pairs once, then for every planned
 * run (run-plan.ts: each target, and for the wasmbase targets each asked protocol) starts a fresh
 * seeded server, drives it with the load generator (warm-up, then the timed window), stops it,
 * and checks the balances. Collects everything into one report, written as JSON and SVG. A
 * failing run is recorded with its reason and the tail of its server's output; it never stops
 * the others.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBalances } from './check.js';
import { onExit } from './cleanup.js';
import { runLoad, type LoadResult, type Progress } from './load.js';
import type { KeynoteOptions } from './options.js';
import { findPostgres } from './pg-cluster.js';
import type { KeynoteReport, Machine, RunRecord } from './report-types.js';
import { resultSvg } from './report-svg.js';
import { planRuns, seriesName } from './run-plan.js';
import { lmdbRawTarget } from './target-lmdb-raw.js';
import { nodePgTarget } from './target-node-pg.js';
import { wasmbaseSdkTarget, wasmbaseTarget } from './target-wasmbase.js';
import type { Target, TargetName, TargetRun, WasmbaseProtocol } from './target.js';
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

interface Targets {
  readonly list: Target[];
  readonly unavailable: Map<TargetName, string>;
  readonly pg: ReturnType<typeof nodePgTarget> | undefined;
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

const f = (n: number) => n.toLocaleString('en-US');

function progressLine(label: string, p: Progress): string {
  return [
    `  [${label}] ${String(p.second).padStart(3)} s  ${f(p.tps).padStart(9)} tps`,
    `  ok ${f(p.ok)}  failed ${f(p.failed)}  in flight ${f(p.inflight)}`,
    p.warmingUp ? '  (warm-up)' : '',
  ].join('');
}

function createTargets(options: KeynoteOptions, io: HarnessIo): Targets {
  const list: Target[] = [];
  const unavailable = new Map<TargetName, string>();
  let pg: Targets['pg'];
  const wasmbase = {
    workers: options.workers,
    ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
  };
  for (const name of options.targets) {
    if (name === 'wasmbase') list.push(wasmbaseTarget(wasmbase));
    else if (name === 'wasmbase-sdk') list.push(wasmbaseSdkTarget(wasmbase));
    else if (name === 'lmdb-raw') list.push(lmdbRawTarget());
    else {
      const found = findPostgres();
      if (found.found) {
        pg = nodePgTarget({ binDir: found.binDir, poolSize: options.pgPool });
        list.push(pg);
      } else {
        unavailable.set('node-pg', found.reason);
        io.say(`node-pg: SKIPPED — ${found.reason}`);
      }
    }
  }
  return { list, unavailable, pg };
}

/** Runs the benchmark described by `options`; never throws for a failing run (it is recorded). */
export async function runKeynote(
  options: KeynoteOptions,
  io: HarnessIo,
  command = 'npm run bench:keynote',
): Promise<KeynoteOutcome> {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg()[0]!;
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'wasmbase-keynote-'));
  const forgetTemp = onExit(() => rmSync(tempDir, { recursive: true, force: true }));
  const targets = createTargets(options, io);
  const runs: RunRecord[] = [];
  try {
    for (const alpha of options.alphas)
      runs.push(...(await runAlpha(alpha, targets, options, tempDir, io)));
  } finally {
    for (const target of targets.list) {
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
    version: 2,
    startedAt,
    finishedAt: new Date().toISOString(),
    command,
    machine: machine(targets.pg?.postgresVersion(), loadAtStart),
    options: { ...options, initial: String(options.initial) },
    targets: options.targets.map(name => ({
      name,
      description:
        targets.list.find(t => t.name === name)?.description ??
        `skipped: ${targets.unavailable.get(name) ?? ''}`,
    })),
    runs,
  };
  const files = options.outDir === undefined ? [] : writeReport(report, options.outDir);
  const ok = runs.every(r => r.status === 'skipped' || (r.status === 'ok' && r.check?.ok === true));
  return { report, files, ok };
}

function writeReport(report: KeynoteReport, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'keynote.json');
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  const svg = path.join(outDir, 'keynote.svg');
  writeFileSync(svg, resultSvg(report));
  return [json, svg];
}

async function runAlpha(
  alpha: number,
  targets: Targets,
  options: KeynoteOptions,
  tempDir: string,
  io: HarnessIo,
): Promise<RunRecord[]> {
  const t = performance.now();
  const pairs = precomputePairs(options.accounts, alpha, options.pairs);
  io.say(
    `α=${alpha}: ${f(options.pairs)} account pairs over ${f(options.accounts)} accounts ` +
      `precomputed in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const plan = planRuns({
    targets: options.targets,
    protocols: options.protocols,
    speaks: new Map(targets.list.map(x => [x.name, x.protocols])),
    unavailable: targets.unavailable,
  });
  const runs: RunRecord[] = [];
  for (const planned of plan) {
    const target = targets.list.find(x => x.name === planned.target);
    if ('skip' in planned || target === undefined) {
      const reason = 'skip' in planned ? planned.skip : 'not available';
      if (target !== undefined) io.say(`${planned.target} α=${alpha}: SKIPPED — ${reason}`);
      runs.push({ alpha, target: planned.target, status: 'skipped', reason });
      continue;
    }
    runs.push(
      await runOne({ target, protocol: planned.protocol, alpha, pairs, options, tempDir, io }),
    );
  }
  return runs;
}

interface OneRun {
  readonly target: Target;
  readonly protocol: WasmbaseProtocol | undefined;
  readonly alpha: number;
  readonly pairs: Uint32Array;
  readonly options: KeynoteOptions;
  readonly tempDir: string;
  readonly io: HarnessIo;
}

async function runOne(one: OneRun): Promise<RunRecord> {
  const { target, protocol, alpha, options, io } = one;
  const label = `${seriesName(target.name, protocol)} α=${alpha}`;
  const named = { alpha, target: target.name, ...(protocol === undefined ? {} : { protocol }) };
  io.say(
    `${label}: starting (${f(options.accounts)} accounts, ` +
      `${options.clients} clients × ${options.inflight} in flight, ` +
      `${options.warmup} s warm-up + ${options.seconds} s)`,
  );
  let run: TargetRun | undefined;
  try {
    run = await target.start({
      accounts: options.accounts,
      initial: options.initial,
      batchMaxCalls: options.batch,
      tempDir: one.tempDir,
      label: [target.name, protocol, `alpha-${alpha}`].filter(x => x !== undefined).join('-'),
      protocol,
      say: io.say,
    });
    const load = await runLoad(
      {
        connection: run.connection,
        clients: options.clients,
        inflight: options.inflight,
        threads: options.threads,
        pairs: one.pairs,
        accounts: options.accounts,
        warmupMs: options.warmup * 1000,
        windowMs: options.seconds * 1000,
        opTimeoutMs: options.opTimeoutSec * 1000,
      },
      p => io.say(progressLine(label, p)),
    );
    const finishing = run;
    run = undefined;
    return { ...named, ...(await finishAndCheck(finishing, load, label, options, io)) };
  } catch (err) {
    let reason = err instanceof Error ? err.message : String(err);
    if (run !== undefined) {
      const tail = run.output().trim().split('\n').slice(-20).join('\n');
      if (tail !== '') reason += `\n--- ${target.name} server output (tail) ---\n${tail}`;
      await run.abort().catch(() => undefined);
    }
    io.say(`${label}: FAILED — ${reason}`);
    return { ...named, status: 'failed', reason };
  }
}

/** Stops the target, checks its balances against the load's acknowledged transfers. */
async function finishAndCheck(
  run: TargetRun,
  load: LoadResult,
  label: string,
  options: KeynoteOptions,
  io: HarnessIo,
): Promise<Omit<RunRecord, 'alpha' | 'target' | 'protocol'>> {
  const balances = await run.finish();
  // The exact per-account check needs every call's fate to be known.
  const check = checkBalances(
    balances,
    options.accounts,
    options.initial,
    load.unanswered === 0 ? load.deltas : null,
  );
  const l = load.latency;
  io.say(
    `${label}: ${f(Math.round(load.tps))} TPS, p50 ${l.p50Ms.toFixed(2)} ms, ` +
      `p95 ${l.p95Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms; ` +
      `${load.failed} failed, ${load.unanswered} unanswered; ` +
      `check ${check.ok ? 'ok' : `FAILED: ${check.problems.join('; ')}`}`,
  );
  for (const [message, n] of Object.entries(load.errors).slice(0, 5))
    io.say(`  ${label}: ${n} × ${message}`);
  return {
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
}
