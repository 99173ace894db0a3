/**
 * @module
 * Table export and import over HTTP (the rules are in `runtime/api/table-transfer.ts`):
 * - `GET  /v1/database/:name_or_identity/export/:table?format=jsonl|csv` — anyone for a public
 *   table, the owner for a private one; the body is the whole table (`--max-transfer-bytes`).
 * - `POST /v1/database/:name_or_identity/import/:table?format=jsonl|csv&first_line=N` — owner
 *   only; the body is the text (`--max-transfer-bytes`, `--max-import-rows`), committed in
 *   transactions of `--import-tx-rows` rows. Replies `{"rows","transactions"}`.
 */
import { exportTable, importTable, parseTransferFormat } from '../api/index.js';
import { WasmbaseError } from '../protocol/index.js';
import { bearerToken, requireCaller } from './caller.js';
import { json, text, type RequestContext } from './request.js';
import { findDatabase, isOwner } from './routes-database.js';
import type { Route, ServerDeps } from './server.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

function firstLine(ctx: RequestContext): number {
  const raw = ctx.query.get('first_line');
  if (raw === null || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new WasmbaseError('INVALID_ARGUMENT', `first_line must be a positive integer`, {
      parameter: 'first_line',
    });
  return n;
}

export function transferRoutes({ engine, tokens, config }: ServerDeps): Route[] {
  return [
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/export/:table',
      body: 'none',
      handler: async ctx => {
        const db = findDatabase(engine, ctx);
        const format = parseTransferFormat(ctx.query.get('format'));
        const caller =
          bearerToken(ctx) === undefined ? undefined : await requireCaller(ctx, tokens);
        const body = exportTable(db, ctx.params['table']!, format, {
          isOwner: isOwner(db, caller?.identity),
          maxBytes: config.maxTransferBytes,
        });
        if (format === 'jsonl') return text(200, body, { 'content-type': 'application/x-ndjson' });
        return text(200, body, { 'content-type': 'text/csv; charset=utf-8' });
      },
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/import/:table',
      body: 'transfer',
      handler: async ctx => {
        const db = findDatabase(engine, ctx);
        const format = parseTransferFormat(ctx.query.get('format'));
        const caller = await requireCaller(ctx, tokens);
        if (!isOwner(db, caller.identity))
          throw new WasmbaseError(
            'PERMISSION_DENIED',
            'only the owner of this database may import',
          );
        let body: string;
        try {
          body = decoder.decode(ctx.body);
        } catch {
          throw new WasmbaseError('BAD_REQUEST', 'the request body is not valid UTF-8');
        }
        const result = await importTable(db, ctx.params['table']!, format, body, {
          sender: caller.identity,
          rowsPerTransaction: config.importTxRows,
          maxRows: config.maxImportRows,
          firstLine: firstLine(ctx),
        });
        return json(200, result);
      },
    },
  ];
}
