/**
 * @module
 * The messages between the worker pool and every one of its workers about their caches, on a
 * `BroadcastChannel` named per pool (piscina can send a task to one worker only, and its
 * workers' `parentPort` belongs to piscina). The pool sends a request with an id; each worker
 * answers between two tasks with that id and its thread id: `evict` drops a database's cached
 * store, instance and (if unused) module; `stats` reports the cache (`WorkerCacheStats`).
 */
import type { WorkerCache, WorkerCacheStats } from './worker-cache.js';

/** What every worker of a pool is started with (piscina's `workerData`). */
export interface WorkerSettings {
  /** Name of the pool's broadcast channel. */
  readonly channel: string;
  readonly instanceBudgetBytes: number;
}

export type CacheRequestBody =
  | {
      readonly type: 'evict';
      readonly databasePath: string;
      /** Only this module's entry; all of the database's when absent. */
      readonly moduleHash?: string;
    }
  | { readonly type: 'stats' };

export type CacheRequest = CacheRequestBody & { readonly id: number };

export interface CacheReply {
  readonly type: 'reply';
  readonly id: number;
  readonly threadId: number;
  /** `evict`: how many entries were dropped. */
  readonly evicted: number;
  readonly stats: WorkerCacheStats;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWorkerSettings(value: unknown): value is WorkerSettings {
  return (
    isObject(value) &&
    typeof value['channel'] === 'string' &&
    typeof value['instanceBudgetBytes'] === 'number'
  );
}

function isCacheRequest(value: unknown): value is CacheRequest {
  if (!isObject(value) || typeof value['id'] !== 'number') return false;
  if (value['type'] === 'stats') return true;
  return (
    value['type'] === 'evict' &&
    typeof value['databasePath'] === 'string' &&
    (value['moduleHash'] === undefined || typeof value['moduleHash'] === 'string')
  );
}

export function isCacheReply(value: unknown): value is CacheReply {
  return isObject(value) && value['type'] === 'reply' && typeof value['id'] === 'number';
}

/** A worker's answer to a message of its channel (undefined: not a request, e.g. a reply). */
export function answerCacheMessage(cache: WorkerCache, message: unknown): CacheReply | undefined {
  if (!isCacheRequest(message)) return undefined;
  const evicted =
    message.type === 'evict' ? cache.evictDatabase(message.databasePath, message.moduleHash) : 0;
  const stats = cache.stats();
  return { type: 'reply', id: message.id, threadId: stats.threadId, evicted, stats };
}
