/**
 * @module
 * Database archives: one database as one self-checking file, to download and to publish back
 * as a new database with its data.
 *
 * Layout: `WBARCH01` (8 bytes), the manifest's length (u32 little-endian), the manifest (JSON),
 * the module bytes, the LMDB snapshot (`data.mdb` from LMDB's compacting copy, taken in one
 * read transaction, so it is a consistent commit boundary while writers go on), and last the
 * SHA-256 of everything before it. The manifest records the database's identity, names, owner,
 * module hash and each part's size and SHA-256. `readArchive` checks the trailer, the manifest
 * and both parts, and refuses a truncated or damaged archive with `ARCHIVE_INVALID`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { WasmbaseError } from '../protocol/index.js';

export const ARCHIVE_MAGIC = 'WBARCH01';
export const ARCHIVE_VERSION = 1;
const HEADER = ARCHIVE_MAGIC.length + 4;
const TRAILER = 32;
/** The largest manifest an archive may carry. */
const MAX_ARCHIVE_MANIFEST_BYTES = 1024 * 1024;

/** What an archive says about its database. */
export interface ArchiveDatabase {
  readonly identity: string;
  readonly owner: string;
  readonly names: readonly string[];
  readonly moduleHash: string;
}

export interface ArchivePart {
  readonly bytes: number;
  readonly sha256: string;
}

export interface ArchiveManifest {
  readonly format: 'wasmbase-archive';
  readonly version: typeof ARCHIVE_VERSION;
  readonly createdAt: string;
  readonly database: ArchiveDatabase;
  readonly module: ArchivePart;
  readonly snapshot: ArchivePart;
}

export interface Archive {
  readonly manifest: ArchiveManifest;
  readonly module: Uint8Array;
  readonly snapshot: Uint8Array;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function invalid(message: string): WasmbaseError {
  return new WasmbaseError(
    'ARCHIVE_INVALID',
    `the archive is damaged or not an archive: ${message}`,
  );
}

/** A consistent, compacted copy of the LMDB environment at `envDir`, as `data.mdb` bytes. */
export async function snapshotEnvironment(envDir: string): Promise<Uint8Array> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbase-snapshot-'));
  try {
    const env = open<Uint8Array, Uint8Array>({
      path: envDir,
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    try {
      await env.backup(tmp, true);
    } finally {
      await env.close();
    }
    return new Uint8Array(readFileSync(path.join(tmp, 'data.mdb')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds an archive; LIMIT_EXCEEDED when it would be larger than `maxBytes`. */
export function buildArchive(
  database: ArchiveDatabase,
  module: Uint8Array,
  snapshot: Uint8Array,
  maxBytes: number,
): Uint8Array {
  const manifest: ArchiveManifest = {
    format: 'wasmbase-archive',
    version: ARCHIVE_VERSION,
    createdAt: new Date().toISOString(),
    database,
    module: { bytes: module.length, sha256: sha(module) },
    snapshot: { bytes: snapshot.length, sha256: sha(snapshot) },
  };
  const json = Buffer.from(JSON.stringify(manifest));
  const total = HEADER + json.length + module.length + snapshot.length + TRAILER;
  if (total > maxBytes)
    throw new WasmbaseError(
      'LIMIT_EXCEEDED',
      `the archive would be ${total} bytes; the limit is ${maxBytes} (--max-archive-bytes)`,
      { limit: maxBytes },
    );
  const out = Buffer.alloc(total);
  out.write(ARCHIVE_MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, ARCHIVE_MAGIC.length);
  let at = HEADER;
  for (const part of [json, module, snapshot]) {
    out.set(part, at);
    at += part.length;
  }
  out.set(createHash('sha256').update(out.subarray(0, at)).digest(), at);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function isPart(v: unknown): v is ArchivePart {
  const p = v as Partial<ArchivePart> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    Number.isSafeInteger(p.bytes) &&
    (p.bytes ?? -1) >= 0 &&
    typeof p.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(p.sha256)
  );
}

function parseManifest(json: Buffer): ArchiveManifest {
  let raw: Partial<ArchiveManifest>;
  try {
    raw = JSON.parse(json.toString('utf8')) as Partial<ArchiveManifest>;
  } catch {
    throw invalid('its manifest is not JSON');
  }
  const db = raw.database;
  if (
    raw.format !== 'wasmbase-archive' ||
    raw.version !== ARCHIVE_VERSION ||
    !isPart(raw.module) ||
    !isPart(raw.snapshot) ||
    typeof db !== 'object' ||
    db === null ||
    typeof db.moduleHash !== 'string' ||
    typeof db.identity !== 'string' ||
    !Array.isArray(db.names)
  )
    throw invalid('its manifest is not a known archive manifest');
  return raw as ArchiveManifest;
}

/** Parses and verifies an archive (ARCHIVE_INVALID when damaged, truncated or foreign). */
export function readArchive(bytes: Uint8Array): Archive {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER + TRAILER || buf.toString('latin1', 0, 8) !== ARCHIVE_MAGIC)
    throw invalid('it does not start with the archive header');
  const body = buf.subarray(0, buf.length - TRAILER);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(body.length)))
    throw invalid('its checksum does not match (truncated or corrupted)');
  const manifestLength = buf.readUInt32LE(ARCHIVE_MAGIC.length);
  if (manifestLength > MAX_ARCHIVE_MANIFEST_BYTES || HEADER + manifestLength > body.length)
    throw invalid('its manifest length is out of range');
  const manifest = parseManifest(buf.subarray(HEADER, HEADER + manifestLength));
  const moduleAt = HEADER + manifestLength;
  const snapshotAt = moduleAt + manifest.module.bytes;
  if (snapshotAt + manifest.snapshot.bytes !== body.length)
    throw invalid('its parts do not add up to its size');
  const module = new Uint8Array(body.subarray(moduleAt, snapshotAt));
  const snapshot = new Uint8Array(body.subarray(snapshotAt));
  if (sha(module) !== manifest.module.sha256 || sha(module) !== manifest.database.moduleHash)
    throw invalid('its module does not match its checksum');
  if (sha(snapshot) !== manifest.snapshot.sha256)
    throw invalid('its snapshot does not match its checksum');
  return { manifest, module, snapshot };
}
