/**
 * @module
 * The pool of reducer worker threads (piscina). Tasks can be aborted, which terminates the
 * worker running them (how runaway reducers are stopped).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WasmbaseError } from '../protocol/index.js';
import type { BatchResult, BatchTask } from './batch-types.js';

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

export interface WorkerPool {
  run(task: BatchTask, signal: AbortSignal): Promise<BatchResult>;
  close(): Promise<void>;
}

export function createWorkerPool(threads: number): WorkerPool {
  const pool = new Piscina({
    filename: workerScriptPath(),
    minThreads: Math.min(2, threads),
    maxThreads: Math.max(2, threads),
    idleTimeout: 60_000,
  });
  return {
    run: (task, signal) => pool.run(task, { signal }) as Promise<BatchResult>,
    close: () => pool.destroy(),
  };
}
