/**
 * @module
 * Database archives and server-side backups over HTTP:
 * - `GET  /v1/database/:name_or_identity/archive` — owner only: the archive file
 *   (`application/octet-stream`, at most `--max-archive-bytes`).
 * - `POST /v1/database/:name_or_identity/archive` — the body is an archive; creates a NEW
 *   database with that name, owned by the caller, with the archive's module and data
 *   (ARCHIVE_INVALID for a damaged archive, NAME_TAKEN when the name is used).
 * - `POST /v1/database/:name_or_identity/backup` — owner only: writes the archive under the
 *   server's backup root (`--backup-root`, keeping `--backup-keep` per database) and answers
 *   `{"file","bytes","sha256"}`; `GET` on the same path lists the kept files.
 * - `GET  /v1/database/:name_or_identity/stats` — owner only: `{"disk": DiskUse}` (file size,
 *   used, live and free pages).
 * - `POST /v1/database/:name_or_identity/compact` — owner only: rewrites the file with LMDB's
 *   compacting copy while the database serves; answers `{"before","after"}` disk use.
 */
import path from 'node:path';
import { publishArchive, ServerBackups } from '../api/index.js';
import { WasmbaseError, type Identity } from '../protocol/index.js';
import { callerOrAnonymous, requireCaller } from './caller.js';
import { json, type RequestContext } from './request.js';
import { findDatabase, isOwner } from './routes-database.js';
import type { Route, ServerDeps } from './server.js';

export function archiveRoutes({ engine, tokens, config, limits }: ServerDeps): Route[] {
  const backups = new ServerBackups(engine, {
    root: config.backupRoot === '' ? path.join(config.dataDir, 'backups') : config.backupRoot,
    keep: config.backupKeep,
    maxBytes: config.maxArchiveBytes,
  });

  const ownedDatabase = async (ctx: RequestContext, action: string): Promise<Identity> => {
    const db = findDatabase(engine, ctx);
    const caller = await requireCaller(ctx, tokens);
    if (!isOwner(db, caller.identity))
      throw new WasmbaseError('PERMISSION_DENIED', `only the owner of this database may ${action}`);
    return db.info.identity;
  };

  return [
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/archive',
      body: 'none',
      handler: async ctx => {
        const identity = await ownedDatabase(ctx, 'download its archive');
        const body = await engine.archive(identity, config.maxArchiveBytes);
        return {
          status: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-disposition': `attachment; filename="${identity.toHex()}.wbarchive"`,
          },
          body,
        };
      },
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/archive',
      body: 'archive',
      handler: async ctx => {
        const caller = await callerOrAnonymous(ctx, tokens, limits);
        const result = await publishArchive(engine, limits, {
          archive: ctx.body,
          owner: caller.identity,
          name: ctx.params['name_or_identity']!,
        });
        const success = {
          domain: result.domain,
          database_identity: result.databaseIdentity.toHex(),
          op: result.op,
        };
        return json(200, { Success: success }, caller.headers);
      },
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/backup',
      body: 'none',
      handler: async ctx => json(200, await backups.backup(await ownedDatabase(ctx, 'back it up'))),
    },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/backup',
      body: 'none',
      handler: async ctx => {
        const identity = await ownedDatabase(ctx, 'list its backups');
        return json(200, { backups: backups.list(identity) });
      },
    },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/stats',
      body: 'none',
      handler: async ctx => {
        const identity = await ownedDatabase(ctx, 'read its stats');
        return json(200, { disk: engine.diskUse(identity) });
      },
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/compact',
      body: 'none',
      handler: async ctx => json(200, await engine.compact(await ownedDatabase(ctx, 'compact it'))),
    },
  ];
}
