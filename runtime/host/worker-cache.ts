/**
 * @module
 * What one reducer worker keeps between batches: per database and module hash, its store
 * handle and its module instance; per module hash, the compiled module. The entries live in a
 * `ByteBudgetLru` whose size of an entry is its instance's linear memory (`buffer.byteLength`,
 * read at every check since memory grows), an estimate for its tables, and a fixed overhead for
 * the store handle. After every batch the budget is enforced, keeping the entry that just ran;
 * a compiled module is dropped once no entry uses it.
 *
 * Eviction closes an entry's store handle. That is safe because a batch runs synchronously from
 * start to end inside the worker: an eviction (by budget after a batch, or by an `evict`
 * message, handled between tasks) never meets a batch that is still using the store.
 */
import { moduleDefFromJsonText, resolveModuleSchema } from '../protocol/index.js';
import { openDatabaseStore, type DatabaseStore } from '../store/index.js';
import { ABI_NAMESPACE } from './abi.js';
import type { BatchTask } from './batch-types.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { createHostImports, type HostSession } from './host-imports.js';

/** Estimated bytes of one table element of an instance (V8 keeps several arrays per table). */
export const TABLE_ELEMENT_BYTES = 32;
/** Estimated bytes of a cached store handle and an instance's bookkeeping. */
export const ENTRY_OVERHEAD_BYTES = 64 * 1024;

export interface LiveInstance {
  readonly session: HostSession;
  readonly memory: WebAssembly.Memory;
  readonly callReducer: (...args: unknown[]) => number;
}

interface CacheEntry {
  readonly databasePath: string;
  readonly moduleHash: string;
  readonly store: DatabaseStore;
  readonly tableBytes: number;
  instance: LiveInstance | undefined;
}

export interface CachedEntryStats {
  readonly databasePath: string;
  readonly moduleHash: string;
  readonly bytes: number;
  readonly instantiated: boolean;
}

/** A snapshot of one worker's cache (the `stats` message of the worker pool). */
export interface WorkerCacheStats {
  readonly threadId: number;
  readonly budgetBytes: number;
  readonly totalBytes: number;
  /** From the least to the most recently used. */
  readonly entries: readonly CachedEntryStats[];
  readonly modules: readonly string[];
  readonly evictions: number;
}

const keyOf = (task: BatchTask) => `${task.databasePath}|${task.moduleHash}`;

function sizeOf(entry: CacheEntry): number {
  const memory = entry.instance === undefined ? 0 : entry.instance.memory.buffer.byteLength;
  return ENTRY_OVERHEAD_BYTES + memory + (entry.instance === undefined ? 0 : entry.tableBytes);
}

export class WorkerCache {
  readonly #threadId: number;
  readonly #modules = new Map<string, { module: WebAssembly.Module; users: number }>();
  readonly #entries: ByteBudgetLru<CacheEntry>;

  constructor(budgetBytes: number, threadId: number) {
    this.#threadId = threadId;
    this.#entries = new ByteBudgetLru({
      budgetBytes,
      sizeOf,
      onEvict: (_key, entry) => this.#close(entry),
    });
  }

  #close(entry: CacheEntry): void {
    this.#dropInstance(entry);
    entry.store.close().catch(() => {});
  }

  #dropInstance(entry: CacheEntry): void {
    if (entry.instance === undefined) return;
    entry.instance = undefined;
    const compiled = this.#modules.get(entry.moduleHash);
    if (compiled !== undefined && --compiled.users <= 0) this.#modules.delete(entry.moduleHash);
  }

  #entry(task: BatchTask): CacheEntry {
    const key = keyOf(task);
    const found = this.#entries.get(key);
    if (found !== undefined) return found;
    const schema = resolveModuleSchema(moduleDefFromJsonText(task.schemaJson));
    const entry: CacheEntry = {
      databasePath: task.databasePath,
      moduleHash: task.moduleHash,
      store: openDatabaseStore(task.databasePath, schema),
      tableBytes: task.tableElements * TABLE_ELEMENT_BYTES,
      instance: undefined,
    };
    this.#entries.set(key, entry);
    return entry;
  }

  /** The store handle of the task's database (opened on first use). */
  store(task: BatchTask): DatabaseStore {
    return this.#entry(task).store;
  }

  /** The task's module instance (compiled and instantiated on first use, or after a trap). */
  instance(task: BatchTask): LiveInstance {
    const entry = this.#entry(task);
    if (entry.instance !== undefined) return entry.instance;
    let compiled = this.#modules.get(task.moduleHash);
    if (compiled === undefined) {
      const module = new WebAssembly.Module(new Uint8Array(task.moduleBytes).slice());
      compiled = { module, users: 0 };
      this.#modules.set(task.moduleHash, compiled);
    }
    const created = instantiate(compiled.module, task);
    compiled.users++;
    entry.instance = created;
    return created;
  }

  /** Forgets the task's instance (it trapped); the next call makes a fresh one. */
  dropInstance(task: BatchTask): void {
    const entry = this.#entries.peek(keyOf(task));
    if (entry !== undefined) this.#dropInstance(entry);
  }

  /** Enforces the byte budget after a batch, keeping the task's own entry. */
  settle(task: BatchTask): void {
    this.#entries.enforce(keyOf(task));
  }

  /** Drops every entry of the database at `databasePath` (deleted or republished). */
  evictDatabase(databasePath: string, moduleHash?: string): number {
    return this.#entries.deleteWhere(
      (_key, e) =>
        e.databasePath === databasePath &&
        (moduleHash === undefined || e.moduleHash === moduleHash),
    );
  }

  stats(): WorkerCacheStats {
    const entries = this.#entries.keys().map(key => {
      const e = this.#entries.peek(key)!;
      const instantiated = e.instance !== undefined;
      return {
        databasePath: e.databasePath,
        moduleHash: e.moduleHash,
        bytes: sizeOf(e),
        instantiated,
      };
    });
    return {
      threadId: this.#threadId,
      budgetBytes: this.#entries.budgetBytes,
      totalBytes: this.#entries.totalBytes(),
      entries,
      modules: [...this.#modules.keys()],
      evictions: this.#entries.evictions,
    };
  }
}

/** A new instance of `module` for the task's database, with a memory of the task's limits. */
export function instantiate(
  module: WebAssembly.Module,
  task: Pick<BatchTask, 'memoryMinPages' | 'memoryMaxPages' | 'databaseIdentity'>,
  call?: HostSession['call'],
): LiveInstance {
  const memory = new WebAssembly.Memory({
    initial: task.memoryMinPages,
    maximum: task.memoryMaxPages,
  });
  const session: HostSession = {
    tx: undefined,
    call,
    describe: undefined,
    databaseIdentity: task.databaseIdentity,
  };
  const instance = new WebAssembly.Instance(module, {
    [ABI_NAMESPACE]: createHostImports(session, memory),
  });
  session.call = undefined;
  return {
    session,
    memory,
    callReducer: instance.exports['__call_reducer__'] as LiveInstance['callReducer'],
  };
}
