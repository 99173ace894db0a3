/**
 * @module
 * The engine: every database of the server, with its store, executor and module log.
 *
 * Layout of the data directory: `system/` (the catalog), `databases/<identity hex>/` (one
 * LMDB environment per database, plus its `module.log`).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ModuleLog, type Logger } from '../log/index.js';
import { Identity, WasmbaseError } from '../protocol/index.js';
import {
  buildArchive,
  openCatalog,
  readArchive,
  readRecordedModuleHash,
  snapshotEnvironment,
  verifyUntrustedEnvironment,
  type DiskUse,
  type Catalog,
  type DatabaseRecord,
} from '../store/index.js';
import { checkDatabaseKeyLength, validateDatabaseName } from './database-name.js';
import type {
  ArchivePublishRequest,
  DatabaseHandle,
  DatabaseInfo,
  Engine,
  ExecutedCall,
  ModuleLogRecord,
  PublishRequest,
  PublishResult,
} from './engine-types.js';
import { LiveDatabase, nowMicros } from './live-database.js';
import { OutcomeWaiters } from './outcome-waiters.js';
import { prepareCall } from './reducer-call.js';
import type { ScheduleClock } from './schedule-clock.js';
import { declarationLimits } from './module-limits.js';
import { checkModuleStarts } from './module-probe.js';
import { validateModule, type ValidatedModule } from './module-validate.js';
import { planMigration } from './schema-compat.js';
import { createWorkerPool, type WorkerPool } from './worker-pool.js';

export interface EngineOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The reducer workers (the engine closes them); by default a pool sized by the config. */
  readonly pool?: WorkerPool;
  /** The clock scheduled reducers run on (tests inject one); the system clock by default. */
  readonly clock?: ScheduleClock;
}

/** Queued scheduled runs are not carried to a replaced database: its scheduler re-reads rows. */
function withoutScheduledRuns(call: ExecutedCall): ExecutedCall | WasmbaseError {
  if (call.schedule === undefined) return call;
  return new WasmbaseError('SCHEDULE_CANCELLED', 'the database was replaced before the run', {
    reducer: call.reducer,
  });
}

function toInfo(record: DatabaseRecord): DatabaseInfo {
  return {
    identity: Identity.fromHex(record.identity),
    owner: Identity.fromHex(record.owner),
    moduleHash: record.moduleHash,
    initialModuleHash: record.initialModuleHash,
    names: record.names,
    createdAt: BigInt(record.createdAt),
  };
}

class WasmbaseEngine implements Engine {
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #clock: ScheduleClock | undefined;
  readonly #catalog: Catalog;
  readonly #pool: WorkerPool;
  readonly #waiters = new OutcomeWaiters();
  readonly #live = new Map<string, LiveDatabase>();
  readonly #deleteListeners = new Set<(identity: Identity) => void>();
  readonly #updateListeners = new Set<(identity: Identity) => void>();
  /** Serialises publishes, deletes and renames. */
  #admin: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#catalog = openCatalog(path.join(options.config.dataDir, 'system'));
    this.#pool =
      options.pool ??
      createWorkerPool({
        threads: options.config.workers,
        instanceBudgetBytes: options.config.workerInstanceBudgetBytes,
      });
  }

  /** Opens every database of the catalog. */
  async start(): Promise<void> {
    for (const record of this.#catalog.listDatabases()) {
      try {
        // A publish that crashed after migrating the data but before updating the catalog left
        // the data's module recorded in the store: the data decides.
        const recorded = await readRecordedModuleHash(this.#dir(Identity.fromHex(record.identity)));
        const info = toInfo(
          recorded !== undefined &&
            recorded !== record.moduleHash &&
            this.#catalog.getModule(recorded) !== undefined
            ? { ...record, moduleHash: recorded }
            : record,
        );
        this.#open(info);
        if (info.moduleHash !== record.moduleHash)
          await this.#catalog.putDatabase(this.#record(info));
      } catch (err) {
        this.#logger.error('could not open database', { database: record.identity, err });
      }
    }
  }

  #dir(identity: Identity): string {
    return path.join(this.#config.dataDir, 'databases', identity.toHex());
  }

  #open(info: DatabaseInfo, validated?: ValidatedModule, register = true): LiveDatabase {
    const module = validated ?? this.#loadModule(info.moduleHash);
    const dir = this.#dir(info.identity);
    const log = new ModuleLog(
      path.join(dir, 'module.log'),
      this.#config.logRetainLines,
      this.#config.moduleLogMaxBytes,
    );
    const deps = { pool: this.#pool, config: this.#config, logger: this.#logger, log };
    const waiters = this.#waiters;
    const db = new LiveDatabase({ info, module, dir, waiters, clock: this.#clock, ...deps });
    if (register) {
      this.#live.set(info.identity.toHex(), db);
      db.startSchedules();
    }
    return db;
  }

  #loadModule(hash: string): ValidatedModule {
    const bytes = this.#catalog.getModule(hash);
    if (bytes === undefined)
      throw new WasmbaseError('STORAGE_FAILURE', `module ${hash} is missing from the catalog`);
    return validateModule(bytes, Number.MAX_SAFE_INTEGER);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#admin.then(fn, fn);
    this.#admin = next.catch(() => {});
    return next;
  }

  resolve(nameOrIdentity: string): DatabaseHandle | undefined {
    return this.#resolveLive(nameOrIdentity);
  }

  #resolveLive(nameOrIdentity: string): LiveDatabase | undefined {
    checkDatabaseKeyLength(nameOrIdentity);
    if (Identity.isHex(nameOrIdentity))
      return this.#live.get(Identity.fromHex(nameOrIdentity).toHex());
    const hex = this.#catalog.lookupName(nameOrIdentity);
    return hex === undefined ? undefined : this.#live.get(hex);
  }

  list(owner?: Identity): readonly DatabaseInfo[] {
    const all = [...this.#live.values()].map(d => d.info);
    return owner === undefined ? all : all.filter(i => i.owner.equals(owner));
  }

  /**
   * Publish-time checks of new module bytes: validation under the configured limits, then one
   * instantiation in a worker (its start function runs, bounded by the reducer time limit).
   */
  async #validate(bytes: Uint8Array): Promise<ValidatedModule> {
    const config = this.#config;
    const validated = validateModule(bytes, config.maxModuleBytes, declarationLimits(config));
    const capPages = Math.floor(config.moduleMemoryBytes / 65536);
    await checkModuleStarts(
      this.#pool,
      {
        moduleBytes: validated.shared,
        memoryMinPages: validated.memoryMinPages,
        memoryMaxPages: Math.min(capPages, validated.memoryMaxPages ?? capPages),
        databaseIdentity: new Uint8Array(32),
      },
      config.reducerTimeoutMs,
    );
    return validated;
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    const validated = await this.#validate(request.moduleBytes);
    return this.#serial(async () => {
      const target = request.nameOrIdentity;
      const existing = target === undefined ? undefined : this.#resolveLive(target);
      if (existing !== undefined) return this.#update(existing, validated, request);
      if (target !== undefined && Identity.isHex(target)) {
        throw new WasmbaseError('DATABASE_NOT_FOUND', `no database with identity ${target}`, {
          database: target,
        });
      }
      if (target !== undefined) validateDatabaseName(target);
      return this.#create(validated, request.owner, target);
    });
  }

  async #runInit(db: LiveDatabase, owner: Identity): Promise<void> {
    const init = db.schema.reducers.find(r => r.lifecycle === 'Init');
    if (init === undefined) return;
    const outcome = await db.call({
      reducer: init.name,
      args: new Uint8Array(0),
      sender: owner,
      connectionId: undefined,
      allowLifecycle: true,
    });
    if (outcome.status === 'failed') {
      throw new WasmbaseError(
        'INIT_FAILED',
        `the init reducer failed, so nothing was published: ${outcome.error.message}`,
        { reducer: init.name, cause: outcome.error.code },
      );
    }
  }

  async #create(
    validated: ValidatedModule,
    owner: Identity,
    name: string | undefined,
  ): Promise<PublishResult> {
    if (name !== undefined && this.#catalog.lookupName(name) !== undefined)
      throw new WasmbaseError('NAME_TAKEN', `the name "${name}" is already used`, { name });
    const identity = Identity.random();
    const info: DatabaseInfo = {
      identity,
      owner,
      moduleHash: validated.hash,
      initialModuleHash: validated.hash,
      names: name === undefined ? [] : [name],
      createdAt: nowMicros(),
    };
    await this.#catalog.putModule(validated.hash, validated.bytes);
    const db = this.#open(info, validated);
    try {
      await this.#runInit(db, owner);
    } catch (err) {
      this.#live.delete(identity.toHex());
      await db.close();
      await this.#pool.evict(this.#dir(identity));
      rmSync(this.#dir(identity), { recursive: true, force: true });
      throw err;
    }
    await db.store.setModuleHash(validated.hash);
    await this.#catalog.putDatabase(this.#record(info));
    this.#logger.info('database created', {
      database: identity.toHex(),
      name,
      module: validated.hash,
    });
    return { op: 'created', databaseIdentity: identity, domain: name ?? null };
  }

  #record(info: DatabaseInfo): DatabaseRecord {
    return {
      identity: info.identity.toHex(),
      owner: info.owner.toHex(),
      moduleHash: info.moduleHash,
      initialModuleHash: info.initialModuleHash,
      names: info.names,
      createdAt: info.createdAt.toString(),
    };
  }

  async #update(
    db: LiveDatabase,
    validated: ValidatedModule,
    request: PublishRequest,
  ): Promise<PublishResult> {
    const domain =
      request.nameOrIdentity !== undefined && !Identity.isHex(request.nameOrIdentity)
        ? request.nameOrIdentity
        : null;
    const result: PublishResult = { op: 'updated', databaseIdentity: db.info.identity, domain };
    if (validated.hash === db.info.moduleHash && !request.clear) return result;
    const plan = request.clear
      ? undefined
      : planMigration(db.schema, validated.schema, name =>
          db.read(tx => tx.count(db.schema.tableByName(name)!.id)),
        );
    if (plan !== undefined && plan.problems.length > 0) {
      throw new WasmbaseError(
        'MIGRATION_REFUSED',
        `the new module cannot keep this database's data: ${plan.problems.join('; ')}. ` +
          'Publish with clear=true to wipe the data.',
        {
          problems: plan.problems,
          hint: 'clear=true',
        },
      );
    }
    await this.#catalog.putModule(validated.hash, validated.bytes);
    const hex = db.info.identity.toHex();
    // The old module keeps its place while the new one is prepared: its running batch finishes,
    // new calls wait in its queue, and they move to the new module once its data is ready.
    await db.executor.pause();
    const info: DatabaseInfo = { ...db.info, moduleHash: validated.hash };
    const next = this.#open(info, validated, false);
    try {
      if (plan === undefined) {
        await next.store.clear();
        await this.#runInit(next, request.owner);
        await next.store.setModuleHash(validated.hash);
      } else {
        await next.store.migrate(plan.tables, validated.hash);
      }
    } catch (err) {
      // The old module serves on (with clear=true its data was wiped before init failed).
      await next.close();
      await this.#pool.evict(next.store.path, validated.hash);
      db.executor.resume();
      throw err;
    }
    db.stopSchedules();
    db.executor.transferQueue(next.executor, call => {
      if (call.reducerId < 0) return call;
      if (call.schedule !== undefined) return withoutScheduledRuns(call);
      try {
        const prepared = prepareCall(next.schema, call.reducer, call.args, true);
        return { ...call, reducerId: prepared.reducer.id };
      } catch (err) {
        if (!(err instanceof WasmbaseError)) throw err;
        const message = `the database was republished while the call waited: ${err.message}`;
        return new WasmbaseError(err.code, message, err.details);
      }
    });
    this.#live.set(hex, next);
    next.startSchedules();
    for (const l of this.#updateListeners) l(db.info.identity);
    await db.close();
    // Workers drop the old module's instance and store handle (no batch of it runs any more).
    await this.#pool.evict(db.store.path, db.info.moduleHash);
    await this.#catalog.putDatabase(this.#record(info));
    this.#logger.info('database updated', {
      database: hex,
      module: validated.hash,
      clear: request.clear,
    });
    return result;
  }

  async archive(identity: Identity, maxBytes: number): Promise<Uint8Array> {
    const db = this.#live.get(identity.toHex());
    if (db === undefined)
      throw new WasmbaseError('DATABASE_NOT_FOUND', `no database ${identity.toHex()}`);
    const info = db.info;
    const module = this.#catalog.getModule(info.moduleHash);
    if (module === undefined)
      throw new WasmbaseError('STORAGE_FAILURE', `module ${info.moduleHash} is missing`);
    const snapshot = await snapshotEnvironment(this.#dir(identity));
    const meta = {
      identity: info.identity.toHex(),
      owner: info.owner.toHex(),
      names: info.names,
      moduleHash: info.moduleHash,
    };
    return buildArchive(meta, module, snapshot, maxBytes);
  }

  async publishArchive(request: ArchivePublishRequest): Promise<PublishResult> {
    const archive = readArchive(request.archive);
    validateDatabaseName(request.name);
    const validated = await this.#validate(archive.module);
    return this.#serial(async () => {
      const name = request.name;
      if (this.#catalog.lookupName(name) !== undefined)
        throw new WasmbaseError('NAME_TAKEN', `the name "${name}" is already used`, { name });
      const identity = Identity.random();
      const dir = this.#dir(identity);
      mkdirSync(dir, { recursive: true });
      try {
        writeFileSync(path.join(dir, 'data.mdb'), archive.snapshot);
        await verifyUntrustedEnvironment(dir);
        const recorded = await readRecordedModuleHash(dir).catch(() => 'unreadable');
        if (recorded !== validated.hash)
          throw new WasmbaseError(
            'ARCHIVE_INVALID',
            "the archive's snapshot was not written by its module",
          );
        const info: DatabaseInfo = {
          identity,
          owner: request.owner,
          moduleHash: validated.hash,
          initialModuleHash: validated.hash,
          names: [name],
          createdAt: nowMicros(),
        };
        await this.#catalog.putModule(validated.hash, validated.bytes);
        this.#open(info, validated);
        await this.#catalog.putDatabase(this.#record(info));
      } catch (err) {
        await this.#live.get(identity.toHex())?.close();
        this.#live.delete(identity.toHex());
        await this.#pool.evict(dir);
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      this.#logger.info('database created from an archive', {
        database: identity.toHex(),
        name,
        from: archive.manifest.database.identity,
      });
      return { op: 'created', databaseIdentity: identity, domain: name };
    });
  }

  #liveOrThrow(identity: Identity): LiveDatabase {
    const db = this.#live.get(identity.toHex());
    if (db === undefined)
      throw new WasmbaseError('DATABASE_NOT_FOUND', `no database ${identity.toHex()}`);
    return db;
  }

  diskUse(identity: Identity): DiskUse {
    return this.#liveOrThrow(identity).store.diskUse();
  }

  compact(identity: Identity): Promise<{ before: DiskUse; after: DiskUse }> {
    return this.#serial(async () => {
      const db = this.#liveOrThrow(identity);
      const before = db.store.diskUse();
      const dir = this.#dir(identity);
      const tmp = path.join(dir, 'compact.tmp');
      rmSync(tmp, { recursive: true, force: true });
      // Every acknowledged commit is on disk and no batch runs: the copy is the whole state.
      await db.executor.pause();
      let copied: Uint8Array;
      try {
        copied = await snapshotEnvironment(dir);
        mkdirSync(tmp);
        const file = path.join(tmp, 'data.mdb');
        writeFileSync(file, copied);
        const fd = openSync(file, 'r');
        fsyncSync(fd);
        closeSync(fd);
      } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        db.executor.resume();
        throw err;
      }
      // The old environment is closed before the new file takes its place (atomic rename),
      // by the workers too: LMDB shares one environment per path in the process, so a worker's
      // handle would keep the old file's environment alive for the reopened store.
      await this.#pool.evict(dir);
      await db.store.close();
      db.log.close();
      renameSync(path.join(tmp, 'data.mdb'), path.join(dir, 'data.mdb'));
      rmSync(tmp, { recursive: true, force: true });
      const next = this.#open(db.info, db.module, false);
      db.stopSchedules();
      db.executor.transferQueue(next.executor, withoutScheduledRuns);
      this.#live.set(identity.toHex(), next);
      next.startSchedules();
      for (const l of this.#updateListeners) l(identity);
      await db.executor.close();
      const after = next.store.diskUse();
      this.#logger.info('database compacted', {
        database: identity.toHex(),
        before: before.fileBytes,
        after: after.fileBytes,
      });
      return { before, after };
    });
  }

  delete(identity: Identity): Promise<void> {
    return this.#serial(async () => {
      const hex = identity.toHex();
      const db = this.#live.get(hex);
      if (db === undefined) return;
      this.#live.delete(hex);
      for (const l of this.#deleteListeners) l(identity);
      await db.close();
      await this.#pool.evict(this.#dir(identity));
      await this.#catalog.deleteDatabase(hex);
      rmSync(this.#dir(identity), { recursive: true, force: true });
      this.#logger.info('database deleted', { database: hex });
    });
  }

  addName(identity: Identity, name: string): Promise<void> {
    validateDatabaseName(name);
    return this.#serial(async () => {
      const db = this.#mustGet(identity);
      if (db.info.names.includes(name)) return;
      const info = { ...db.info, names: [...db.info.names, name] };
      await this.#catalog.putDatabase(this.#record(info));
      db.info = info;
    });
  }

  setNames(identity: Identity, names: readonly string[]): Promise<void> {
    for (const n of names) validateDatabaseName(n);
    return this.#serial(async () => {
      const db = this.#mustGet(identity);
      const info = { ...db.info, names: [...new Set(names)] };
      await this.#catalog.putDatabase(this.#record(info));
      db.info = info;
    });
  }

  #mustGet(identity: Identity): LiveDatabase {
    const db = this.#live.get(identity.toHex());
    if (db === undefined)
      throw new WasmbaseError(
        'DATABASE_NOT_FOUND',
        `no database with identity ${identity.toHex()}`,
      );
    return db;
  }

  logTail(identity: Identity, limit: number): readonly ModuleLogRecord[] {
    return this.#mustGet(identity).log.tail(limit);
  }

  logFollow(identity: Identity, listener: (record: ModuleLogRecord) => void): () => void {
    return this.#mustGet(identity).log.follow(listener);
  }

  onDelete(listener: (identity: Identity) => void): () => void {
    this.#deleteListeners.add(listener);
    return () => this.#deleteListeners.delete(listener);
  }

  onUpdate(listener: (identity: Identity) => void): () => void {
    this.#updateListeners.add(listener);
    return () => this.#updateListeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.#admin.catch(() => {});
    for (const db of this.#live.values()) await db.close();
    this.#live.clear();
    await this.#pool.close();
    await this.#catalog.close();
  }
}

/** Opens the engine on `config.dataDir`, reopening every database found there. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const engine = new WasmbaseEngine(options);
  await engine.start();
  return engine;
}
