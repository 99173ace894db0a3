/**
 * @module
 * `/v1/database/...`: publish, describe, delete, names, identity, call, schema, logs, sql.
 */
import { callOnce, publishModule, runSqlEncoded, schemaFor } from '../api/index.js';
import type { DatabaseHandle, Engine } from '../host/index.js';
import { formatLogLine } from '../log/index.js';
import {
  checkJsonDepth,
  moduleDefToJson,
  WasmbaseError,
  type Identity,
} from '../protocol/index.js';
import { bearerToken, callerOrAnonymous, requireCaller, type Caller } from './caller.js';
import { json, text, type Reply, type RequestContext } from './request.js';
import type { Route, ServerDeps } from './server.js';
import { JSON_ROWS, sqlResultsBody } from './sql-json.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseBool(ctx: RequestContext, name: string): boolean {
  const v = ctx.query.get(name);
  if (v === null || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new WasmbaseError(
    'INVALID_ARGUMENT',
    `query parameter ${name} must be true or false, got "${v.slice(0, 40)}"`,
    { parameter: name },
  );
}

function bodyText(ctx: RequestContext): string {
  try {
    return decoder.decode(ctx.body);
  } catch {
    throw new WasmbaseError('BAD_REQUEST', 'the request body is not valid UTF-8');
  }
}

function bodyJson(ctx: RequestContext): unknown {
  const raw = bodyText(ctx);
  checkJsonDepth(raw, 'the request body');
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new WasmbaseError(
      'INVALID_JSON',
      `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function isOwner(db: DatabaseHandle, identity: Identity | undefined): boolean {
  return identity !== undefined && db.info.owner.equals(identity);
}

/** The database the route's `:name_or_identity` names, or DATABASE_NOT_FOUND. */
export function findDatabase(engine: Engine, ctx: RequestContext): DatabaseHandle {
  const key = ctx.params['name_or_identity']!;
  const db = engine.resolve(key);
  if (db === undefined)
    throw new WasmbaseError(
      'DATABASE_NOT_FOUND',
      `no database named or with identity "${key.slice(0, 80)}"`,
      { database: key.slice(0, 80) },
    );
  return db;
}

export function databaseRoutes({ engine, tokens, config, logger, limits }: ServerDeps): Route[] {
  const followers = new Map<string, number>();

  const find = (ctx: RequestContext): DatabaseHandle => findDatabase(engine, ctx);

  /** The caller when a token was sent (verified), else undefined. */
  const optionalCaller = async (ctx: RequestContext): Promise<Caller | undefined> =>
    bearerToken(ctx) === undefined ? undefined : requireCaller(ctx, tokens);

  const requireOwner = (db: DatabaseHandle, caller: Caller, action: string): void => {
    if (!isOwner(db, caller.identity))
      throw new WasmbaseError('PERMISSION_DENIED', `only the owner of this database may ${action}`);
  };

  const publish = async (ctx: RequestContext): Promise<Reply> => {
    const target = ctx.params['name_or_identity'];
    const clear = parseBool(ctx, 'clear');
    const caller = await callerOrAnonymous(ctx, tokens, limits);
    const existing = target === undefined ? undefined : engine.resolve(target);
    if (existing !== undefined && !isOwner(existing, caller.identity)) {
      return json(401, { PermissionDenied: { name: target } }, caller.headers);
    }
    const result = await publishModule(engine, limits, {
      moduleBytes: ctx.body,
      owner: caller.identity,
      nameOrIdentity: target,
      clear,
    });
    const success =
      target === undefined
        ? { domain: null, database_identity: result.databaseIdentity.toHex(), op: result.op }
        : {
            domain: result.domain,
            database_identity: result.databaseIdentity.toHex(),
            op: result.op,
          };
    return json(200, { Success: success }, caller.headers);
  };

  const call = async (ctx: RequestContext): Promise<Reply> => {
    const db = find(ctx);
    const contentType = ctx.contentType.split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      const got = ctx.contentType.slice(0, 80) || 'none';
      throw new WasmbaseError(
        'UNSUPPORTED_MEDIA_TYPE',
        `reducer arguments must be sent as Content-Type: application/json, got "${got}"`,
      );
    }
    const caller = await callerOrAnonymous(ctx, tokens, limits);
    const args = { jsonText: bodyText(ctx) };
    const gate = limits.callGate({ identity: caller.identity, address: ctx.address });
    const reducer = ctx.params['reducer']!;
    const outcome = await callOnce(db, caller.identity, reducer, args, logger, gate);
    if (outcome.status === 'failed') throw outcome.error;
    const micros = String(outcome.durationMicros);
    return {
      status: 200,
      headers: { ...caller.headers, 'spacetime-execution-duration-micros': micros },
    };
  };

  const sql = async (ctx: RequestContext): Promise<Reply> => {
    const db = find(ctx);
    // Every answer is durable already; the flag is accepted for compatibility.
    parseBool(ctx, 'confirmed');
    const caller = await callerOrAnonymous(ctx, tokens, limits);
    const started = performance.now();
    const limit = {
      maxBytes: config.sqlMaxResultBytes,
      flag: 'sql-max-result-bytes',
      what: 'the JSON of the result rows',
    };
    const results = await runSqlEncoded(
      db,
      bodyText(ctx),
      { identity: caller.identity, isOwner: isOwner(db, caller.identity) },
      { rowLimit: config.sqlRowLimit, limit },
      JSON_ROWS,
    );
    const micros = Math.max(0, Math.round((performance.now() - started) * 1000));
    return {
      status: 200,
      headers: {
        'content-type': 'application/json',
        ...caller.headers,
        'spacetime-execution-duration-micros': String(micros),
      },
      body: sqlResultsBody(results),
    };
  };

  const logs = async (ctx: RequestContext): Promise<Reply> => {
    const db = find(ctx);
    requireOwner(db, await requireCaller(ctx, tokens), 'read its logs');
    const raw = ctx.query.get('num_lines');
    const limit = raw === null || raw === '' ? config.maxLogLines : Number(raw);
    if (!Number.isInteger(limit) || limit < 0)
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `num_lines must be a non-negative integer, got "${raw}"`,
      );
    if (limit > config.maxLogLines)
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `num_lines is ${limit}; the limit is ${config.maxLogLines} (--max-log-lines)`,
        { limit: config.maxLogLines },
      );
    const tail = engine.logTail(db.info.identity, limit).map(formatLogLine);
    if (!parseBool(ctx, 'follow')) return text(200, tail.map(l => l + '\n').join(''));
    const key = db.info.identity.toHex();
    const following = followers.get(key) ?? 0;
    if (following >= config.maxLogFollowers) {
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `this database already has ${config.maxLogFollowers} log followers (--max-log-followers)`,
        { limit: config.maxLogFollowers },
      );
    }
    // The slot is taken now (no await until the stream starts or is cancelled).
    followers.set(key, following + 1);
    const release = () => {
      const left = (followers.get(key) ?? 1) - 1;
      if (left <= 0) followers.delete(key);
      else followers.set(key, left);
    };
    return {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
      // An empty first chunk would end the response, so an empty tail starts with an empty line.
      first: tail.length === 0 ? '\n' : tail.map(l => l + '\n').join(''),
      cancel: release,
      start: stream => {
        stream.onClose(release);
        stream.onClose(
          engine.logFollow(db.info.identity, record => stream.write(formatLogLine(record) + '\n')),
        );
        stream.onClose(
          engine.onDelete(id => {
            if (id.equals(db.info.identity)) stream.end();
          }),
        );
        // Deleted while this request was being answered.
        if (engine.resolve(key) === undefined) stream.end();
      },
    };
  };

  return [
    { method: 'post', pattern: '/v1/database', body: 'module', handler: publish },
    { method: 'post', pattern: '/v1/database/:name_or_identity', body: 'module', handler: publish },
    { method: 'put', pattern: '/v1/database/:name_or_identity', body: 'module', handler: publish },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity',
      body: 'none',
      handler: async ctx => {
        const db = find(ctx);
        return json(200, {
          database_identity: db.info.identity.toHex(),
          owner_identity: db.info.owner.toHex(),
          host_type: 'wasm',
          initial_program: db.info.initialModuleHash,
          module_hash: db.info.moduleHash,
          names: db.info.names,
        });
      },
    },
    {
      method: 'del',
      pattern: '/v1/database/:name_or_identity',
      body: 'none',
      handler: async ctx => {
        const db = find(ctx);
        requireOwner(db, await requireCaller(ctx, tokens), 'delete it');
        await engine.delete(db.info.identity);
        return { status: 200 };
      },
    },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/names',
      body: 'none',
      handler: async ctx => json(200, { names: find(ctx).info.names }),
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/names',
      body: 'body',
      handler: async ctx => {
        const db = find(ctx);
        const raw = bodyText(ctx).trim();
        const name = raw.startsWith('"') ? String(bodyJson(ctx)) : raw;
        const caller = await requireCaller(ctx, tokens);
        if (!isOwner(db, caller.identity)) return json(401, { PermissionDenied: { domain: name } });
        await engine.addName(db.info.identity, name);
        return json(200, { Success: { domain: name, database_result: db.info.identity.toHex() } });
      },
    },
    {
      method: 'put',
      pattern: '/v1/database/:name_or_identity/names',
      body: 'body',
      handler: async ctx => {
        const db = find(ctx);
        const names = bodyJson(ctx);
        if (!Array.isArray(names) || !names.every(n => typeof n === 'string'))
          throw new WasmbaseError('INVALID_ARGUMENT', 'the body must be a JSON array of names');
        const caller = await requireCaller(ctx, tokens);
        if (!isOwner(db, caller.identity)) return json(401, { PermissionDenied: null });
        await engine.setNames(db.info.identity, names as string[]);
        return json(200, { Success: null });
      },
    },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/identity',
      body: 'none',
      handler: async ctx => text(200, find(ctx).info.identity.toHex()),
    },
    {
      method: 'post',
      pattern: '/v1/database/:name_or_identity/call/:reducer',
      body: 'body',
      handler: call,
    },
    {
      method: 'get',
      pattern: '/v1/database/:name_or_identity/schema',
      body: 'none',
      handler: async ctx => {
        const db = find(ctx);
        const version = ctx.query.get('version');
        if (version !== '9')
          throw new WasmbaseError(
            'INVALID_ARGUMENT',
            'query parameter version must be 9 (RawModuleDefV9), got ' +
              (version === null ? 'none' : `"${version.slice(0, 20)}"`),
          );
        const caller = await optionalCaller(ctx);
        return json(200, moduleDefToJson(schemaFor(db, isOwner(db, caller?.identity))));
      },
    },
    { method: 'get', pattern: '/v1/database/:name_or_identity/logs', body: 'none', handler: logs },
    { method: 'post', pattern: '/v1/database/:name_or_identity/sql', body: 'sql', handler: sql },
  ];
}
