/**
 * @module
 * The pool of reducer worker threads (piscina). Tasks can be aborted, which terminates the
 * worker running them (how runaway reducers are stopped). Besides batches, a worker
 * instantiates modules being published (`probe`), and every worker answers cache messages sent
 * to all of them at once (`evict`, `stats`: see `cache-messages.ts`). Workers wait for tasks
 * with `Atomics.waitAsync` (piscina's `atomics: 'async'`) so that their event loop, and so the
 * broadcast channel, is served between tasks.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { WasmbaseError } from '../protocol/index.js';
import type { BatchResult, BatchTask } from './batch-types.js';
import {
  isCacheReply,
  type CacheReply,
  type CacheRequestBody,
  type WorkerSettings,
} from './cache-messages.js';
import type { ProbeResult, ProbeRunner, ProbeTask } from './module-probe.js';
import type { WorkerCacheStats } from './worker-cache.js';

/** How long the pool waits for every worker to answer a cache message. */
const REPLY_TIMEOUT_MS = 5000;

/** The compiled worker script: next to this file in dist/, or dist/ when running from sources. */
export function workerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker.js');
  const root = path.resolve(path.dirname(here), '../..');
  const built = path.join(root, 'dist/runtime/host/worker.js');
  if (!existsSync(built))
    throw new WasmbaseError(
      'UNAVAILABLE',
      `reducer worker script ${built} is missing: run "npm run build" first`,
    );
  return built;
}

/** What an executor needs of the pool. */
export interface BatchRunner {
  run(task: BatchTask, signal: AbortSignal): Promise<BatchResult>;
}

export interface WorkerPool extends BatchRunner, ProbeRunner {
  /**
   * Makes every worker drop its cached store, instance and module of a database (all of its
   * modules, or only `moduleHash`); resolves once every worker answered (or after 5 s).
   */
  evict(databasePath: string, moduleHash?: string): Promise<void>;
  /** Every worker's cache, as each reports it (a worker that does not answer is left out). */
  stats(): Promise<readonly WorkerCacheStats[]>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  readonly threads: number;
  /** Bytes of instances each worker keeps cached (`--worker-instance-budget-bytes`). */
  readonly instanceBudgetBytes: number;
}

interface Waiting {
  readonly expected: Set<number>;
  readonly replies: CacheReply[];
  readonly finish: () => void;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const settings: WorkerSettings = {
    channel: `wasmbase-workers-${randomUUID()}`,
    instanceBudgetBytes: options.instanceBudgetBytes,
  };
  const pool = new Piscina({
    filename: workerScriptPath(),
    minThreads: Math.min(2, options.threads),
    maxThreads: Math.max(2, options.threads),
    idleTimeout: 60_000,
    atomics: 'async',
    workerData: settings,
  });
  const channel = new BroadcastChannel(settings.channel);
  channel.unref();
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  channel.onmessage = (event: unknown) => {
    const reply = (event as MessageEvent).data;
    if (!isCacheReply(reply)) return;
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    w.replies.push(reply);
    w.expected.delete(reply.threadId);
    if (w.expected.size === 0) w.finish();
  };
  const request = (body: CacheRequestBody): Promise<CacheReply[]> => {
    const id = nextId++;
    const expected = new Set(pool.threads.map(t => t.threadId));
    if (expected.size === 0) return Promise.resolve([]);
    return new Promise(resolve => {
      const replies: CacheReply[] = [];
      const timer = setTimeout(() => finish(), REPLY_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(replies);
      };
      waiting.set(id, { expected, replies, finish });
      channel.postMessage({ ...body, id });
    });
  };
  return {
    run: (task, signal) => pool.run(task, { signal }) as Promise<BatchResult>,
    probe: (task: ProbeTask, signal) =>
      pool.run(task, { signal, name: 'probe' }) as Promise<ProbeResult>,
    evict: async (databasePath, moduleHash) => {
      await request({
        type: 'evict',
        databasePath,
        ...(moduleHash === undefined ? {} : { moduleHash }),
      });
    },
    stats: async () => (await request({ type: 'stats' })).map(r => r.stats),
    close: async () => {
      for (const w of waiting.values()) w.finish();
      channel.close();
      await pool.destroy();
    },
  };
}
