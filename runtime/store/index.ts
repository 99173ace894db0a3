/**
 * @module
 * The table store: LMDB environments holding rows as BSATN under order-preserving keys, batch
 * overlays for reducer execution, and the system catalog.
 */
export type * from './store-types.js';
export { openDatabaseStore, readRecordedMeta, readRecordedModuleHash } from './database-store.js';
export type {
  DatabaseStore,
  DatabaseStoreOptions,
  DiskUse,
  RecordedMeta,
} from './database-store.js';
export { openCatalog } from './catalog.js';
export type { Catalog, DatabaseRecord } from './catalog.js';
export { MAX_KEY_BYTES, MAX_ROW_BYTES } from './table-codec.js';
export { MAX_WRITES_PER_CALL } from './batch-tx.js';
export { lazyScan, lazyIndexPoint, lazyIndexRange } from './lazy-reads.js';
export { backupDataDir, readManifest, restoreDataDir, verifyBackup } from './backup.js';
export { archiveFromBackup } from './backup-archive.js';
export type { BackupEntry, BackupManifest, BackupOptions, BackupSchemaSummary } from './backup.js';
export { verifyDataDir, verifyUntrustedEnvironment, dataDirEnvironments } from './verify-store.js';
export type { VerifyReport } from './verify-store.js';
export { buildArchive, readArchive, snapshotEnvironment, ARCHIVE_MAGIC } from './archive.js';
export type { Archive, ArchiveDatabase, ArchiveManifest, ArchivePart } from './archive.js';
