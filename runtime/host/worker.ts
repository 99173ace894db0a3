/**
 * @module
 * The piscina worker entry: runs one batch of reducer calls per task (the default export), or
 * instantiates a module being published (`probe`). Between tasks it answers the pool's cache
 * messages (see `cache-messages.ts`) on the pool's broadcast channel.
 */
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import type { BatchResult, BatchTask } from './batch-types.js';
import { answerCacheMessage, isWorkerSettings } from './cache-messages.js';
import { runBatch } from './module-runner.js';
import { probeModule, type ProbeResult, type ProbeTask } from './module-probe.js';
import { WorkerCache } from './worker-cache.js';

if (!isWorkerSettings(workerData))
  throw new Error('the reducer worker was started without settings');
const cache = new WorkerCache(workerData.instanceBudgetBytes, threadId);
const channel = new BroadcastChannel(workerData.channel);
channel.unref();
channel.onmessage = (event: unknown) => {
  const reply = answerCacheMessage(cache, (event as MessageEvent).data);
  if (reply !== undefined) channel.postMessage(reply);
};

export default function runTask(task: BatchTask): BatchResult {
  return runBatch(cache, task);
}

export function probe(task: ProbeTask): ProbeResult {
  return probeModule(task);
}
