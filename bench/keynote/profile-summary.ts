/**
 * @module
 * Summarises the V8 CPU profiles of a wasmbase server run (`npm run bench:keynote -- --profile
 * <dir>`: one .cpuprofile per thread) by stage of the hot path — decode, queue, worker hop, WASM,
 * store overlay, LMDB commit, fan-out, encode, WebSocket I/O, GC — using self time per function,
 * attributed by source file and function name. Prints one Markdown table per thread and the
 * heaviest functions.
 *
 *   node dist/bench/keynote/profile-summary.js <dir> [--top 15]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Stage rules, first match wins: [stage, file pattern, function-name pattern]. */
const RULES: readonly (readonly [string, RegExp, RegExp?])[] = [
  ['idle', /^$/, /^\((idle)\)$/],
  ['idle', /worker\.js$/, /^atomicsWaitLoop$/],
  ['GC', /^$/, /^\(garbage collector\)$/],
  ['WASM (reducer code)', /^wasm:/],
  [
    'WASM (host calls, memory)',
    /runtime\/host\/(host-imports|guest-memory|module-runner|abi)\.js$/,
  ],
  [
    'decode (BSATN reads: messages, args, rows)',
    /runtime\/protocol\/(ws-bsatn|ws-json[^/]*)\.js$/,
    /^decode|^read/,
  ],
  ['decode (BSATN reads: messages, args, rows)', /runtime\/protocol\/bsatn-reader\.js$/],
  [
    'encode (BSATN writes: messages, rows, frames)',
    /runtime\/protocol\/(ws-bsatn|ws-json[^/]*|ws-frame|identity)\.js$/,
  ],
  ['encode (BSATN writes: messages, rows, frames)', /runtime\/protocol\/bsatn-writer\.js$/],
  ['fan-out (subscriptions, per-client feed)', /runtime\/(subscribe\/|ws\/ws-feed\.js)/],
  ['WebSocket session / routing', /runtime\/(ws|http)\//],
  ['queue / executor', /runtime\/host\/(executor|engine)\.js$/],
  [
    'worker hop (pool, packing, messages)',
    /(worker_pool|piscina|runtime\/host\/(batch-types|worker-pool|worker)\.js|worker\.js$)/,
  ],
  ['worker hop (pool, packing, messages)', /^$/, /^postMessage$/],
  ['LMDB (lmdb-js reads, commits)', /node_modules\/lmdb\//],
  ['store (overlay, write sets, keys)', /runtime\/store\//],
  ['module loading / startup', /^node:internal\/(modules|bootstrap)/],
  ['native (uWS, syscalls, other C++)', /^$/, /^\(program\)$/],
];

export function stageOf(frame: CallFrame): string {
  for (const [stage, file, fn] of RULES) {
    if (!file.test(frame.url)) continue;
    if (fn !== undefined && !fn.test(frame.functionName)) continue;
    return stage;
  }
  if (frame.url.startsWith('node:')) return 'Node internals';
  return 'other';
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly stages: readonly { readonly stage: string; readonly ms: number }[];
  readonly functions: readonly {
    readonly name: string;
    readonly stage: string;
    readonly ms: number;
  }[];
}

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const stages = new Map<string, number>();
  const functions = new Map<string, { stage: string; ms: number }>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (node === undefined || ms <= 0) continue;
    total += ms;
    const stage = stageOf(node.callFrame);
    stages.set(stage, (stages.get(stage) ?? 0) + ms);
    const f = node.callFrame;
    const where = f.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
    const name = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    const entry = functions.get(name) ?? { stage, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
  }
  return {
    totalMs: total,
    stages: [...stages].map(([stage, ms]) => ({ stage, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms),
  };
}

function table(summary: ProfileSummary, top: number): string {
  const busy = summary.totalMs - (summary.stages.find(s => s.stage === 'idle')?.ms ?? 0);
  const lines = ['| stage | ms | % of samples | % of busy |', '| --- | ---: | ---: | ---: |'];
  for (const s of summary.stages) {
    lines.push(
      `| ${s.stage} | ${Math.round(s.ms)} | ${((s.ms / summary.totalMs) * 100).toFixed(1)} | ` +
        `${s.stage === 'idle' ? '' : ((s.ms / busy) * 100).toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    `Heaviest functions (self time):`,
    '',
    '| function | stage | ms |',
    '| --- | --- | ---: |',
  );
  for (const f of summary.functions.filter(x => x.stage !== 'idle').slice(0, top))
    lines.push(`| \`${f.name}\` | ${f.stage} | ${Math.round(f.ms)} |`);
  return lines.join('\n');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '15' } },
  });
  const dir = positionals[0];
  if (dir === undefined) {
    process.stderr.write(
      'usage: node dist/bench/keynote/profile-summary.js <dir with .cpuprofile files> [--top 15]\n',
    );
    process.exit(2);
  }
  const files = readdirSync(dir)
    .filter(f => f.endsWith('.cpuprofile'))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no .cpuprofile files in ${dir}\n`);
    process.exit(1);
  }
  for (const file of files) {
    const summary = summarise(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    process.stdout.write(
      `### ${file} (${Math.round(summary.totalMs)} ms sampled)\n\n` +
        `${table(summary, Number(values.top))}\n\n`,
    );
  }
}
