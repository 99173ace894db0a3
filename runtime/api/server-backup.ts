/**
 * @module
 * Server-side backups of one database (`POST /v1/database/:name/backup`): the database's
 * archive (see `runtime/store/archive.ts`) written under the backup root as
 * `<root>/<identity>/<timestamp>.wbarchive`. The file is written to a temporary name and renamed,
 * so a listed backup is always whole; only the newest `keep` per database are kept, and one
 * backup runs at a time on the server (a second one gets RATE_LIMITED), so an owner cannot
 * fill the disk or the CPU with them. Restore one with `wasmbase archive publish`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../host/index.js';
import { WasmbaseError, type Identity } from '../protocol/index.js';

export interface ServerBackupOptions {
  readonly root: string;
  readonly keep: number;
  readonly maxBytes: number;
}

export interface ServerBackup {
  /** The file's path relative to the backup root. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

const SUFFIX = '.wbarchive';

export class ServerBackups {
  #busy = false;
  /** Keeps two backups in one millisecond apart. */
  #seq = 0;

  constructor(
    readonly engine: Engine,
    readonly options: ServerBackupOptions,
  ) {}

  async backup(identity: Identity): Promise<ServerBackup> {
    if (this.#busy)
      throw new WasmbaseError('RATE_LIMITED', 'another backup is running; try again shortly');
    this.#busy = true;
    try {
      const bytes = await this.engine.archive(identity, this.options.maxBytes);
      const dir = path.join(this.options.root, identity.toHex());
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replaceAll(':', '-');
      const name = `${stamp}-${String(this.#seq++ % 1e6).padStart(6, '0')}${SUFFIX}`;
      const tmp = path.join(dir, `.${name}.tmp`);
      writeFileSync(tmp, bytes);
      renameSync(tmp, path.join(dir, name));
      this.#prune(dir);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return { file: `${identity.toHex()}/${name}`, bytes: bytes.length, sha256 };
    } finally {
      this.#busy = false;
    }
  }

  /** The backups of a database, oldest first. */
  list(identity: Identity): string[] {
    const dir = path.join(this.options.root, identity.toHex());
    try {
      return readdirSync(dir)
        .filter(f => f.endsWith(SUFFIX) && !f.startsWith('.'))
        .sort();
    } catch {
      return [];
    }
  }

  #prune(dir: string): void {
    const files = readdirSync(dir)
      .filter(f => f.endsWith(SUFFIX) && !f.startsWith('.'))
      .sort();
    for (const old of files.slice(0, Math.max(0, files.length - this.options.keep)))
      rmSync(path.join(dir, old), { force: true });
  }
}
