/**
 * @module
 * One database out of a whole-directory backup, as an archive: the way to restore a single
 * database under a new name into a running server (`wasmbase restore <dir> --database <db>
 * --as <name>`), through the same checked path as any uploaded archive.
 *
 * The backup is verified first (every checksum, `BACKUP_INVALID` on damage). The database is
 * found by name or identity in the backup's own catalog, which is read from a temporary copy so
 * the backup directory is never written. The archive carries the module the database's data was
 * last written by (recorded in its environment), and that data file as the snapshot.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WasmbaseError } from '../protocol/index.js';
import { buildArchive } from './archive.js';
import { verifyBackup } from './backup.js';
import { readCatalogCopy, type DatabaseRecord } from './catalog.js';

function notInBackup(backupDir: string, database: string): WasmbaseError {
  return new WasmbaseError(
    'DATABASE_NOT_FOUND',
    `the backup ${backupDir} holds no database named or with identity "${database}"`,
    { database },
  );
}

/** The catalog record and module bytes of `database` (a name or identity hex) in the backup. */
async function findInCatalog(
  backupDir: string,
  database: string,
): Promise<{ record: DatabaseRecord; modules: Map<string, Uint8Array> }> {
  const file = path.join(backupDir, 'system', 'data.mdb');
  return readCatalogCopy(file, catalog => {
    const identity = catalog.lookupName(database) ?? database.toLowerCase();
    const record = catalog.getDatabase(identity);
    if (record === undefined) throw notInBackup(backupDir, database);
    const modules = new Map<string, Uint8Array>();
    for (const hash of new Set([record.moduleHash, record.initialModuleHash])) {
      const bytes = catalog.getModule(hash);
      if (bytes !== undefined) modules.set(hash, new Uint8Array(bytes));
    }
    return { record, modules };
  });
}

/** Verifies `backupDir` and returns one of its databases as archive bytes. */
export async function archiveFromBackup(
  backupDir: string,
  database: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const manifest = verifyBackup(backupDir);
  if (!manifest.entries.some(e => e.name === 'system'))
    throw new WasmbaseError(
      'BACKUP_INVALID',
      `the backup ${backupDir} has no catalog (system), so its databases cannot be named`,
    );
  const { record, modules } = await findInCatalog(backupDir, database);
  const entry = manifest.entries.find(e => e.name === `databases/${record.identity}`);
  if (entry === undefined) throw notInBackup(backupDir, database);
  const moduleHash = entry.moduleHash ?? record.moduleHash;
  const module = modules.get(moduleHash);
  if (module === undefined)
    throw new WasmbaseError(
      'BACKUP_INVALID',
      `the backup's catalog lacks module ${moduleHash} of database ${record.identity}`,
    );
  const snapshot = new Uint8Array(readFileSync(path.join(backupDir, entry.file)));
  const meta = { identity: record.identity, owner: record.owner, names: record.names, moduleHash };
  return buildArchive(meta, module, snapshot, maxBytes);
}
