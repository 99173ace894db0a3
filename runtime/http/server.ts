/**
 * @module
 * The uWebSockets.js server: registers the route table, copies each request out of uWS, reads
 * the body with the route's limit, runs the handler and writes its reply. Every failure becomes
 * a JSON error body (`{"error":{"code","number","message"}}`); input never causes a 5xx.
 */
import type { AbuseLimits } from '../api/index.js';
import type { Config } from '../config.js';
import { toWasmbaseError, WasmbaseError } from '../protocol/index.js';
import type { Engine } from '../host/index.js';
import type { Logger } from '../log/index.js';
import type { TokenService } from '../auth/index.js';
import { statusLine } from '../protocol/index.js';
import { readBody } from './body.js';
import type { Reply, RequestContext } from './request.js';
import { databaseRoutes } from './routes-database.js';
import { identityRoutes } from './routes-identity.js';
import { transferRoutes } from './routes-transfer.js';
import { archiveRoutes } from './routes-archive.js';
import { loadStaticFiles, staticRoutes } from './static-files.js';
import { openStream, type OpenStream } from './stream.js';
import { loadUws, type HttpResponse, type us_listen_socket } from './uws.js';
import { registerSubscribeRoute } from '../ws/index.js';

export interface ServerDeps {
  readonly config: Config;
  readonly engine: Engine;
  readonly tokens: TokenService;
  readonly logger: Logger;
  readonly limits: AbuseLimits;
}

/**
 * Which size limit applies to a route's body: none (ignored), other bodies, modules, SQL text,
 * table imports or archives.
 */
export type BodyLimit = 'none' | 'body' | 'module' | 'sql' | 'transfer' | 'archive';

export interface Route {
  readonly method: 'get' | 'post' | 'put' | 'del';
  readonly pattern: string;
  readonly body: BodyLimit;
  readonly handler: (ctx: RequestContext) => Promise<Reply>;
}

export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections and ends open streams (log followers). */
  close(): Promise<void>;
}

const CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Accept, Content-Type',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-expose-headers': 'spacetime-identity, spacetime-identity-token, retry-after',
};

type BodyReply = Exclude<Reply, { start: unknown }>;

const ADDRESS_TEXT = new TextDecoder();

function writeReply(res: HttpResponse, reply: BodyReply, close = false): void {
  res.cork(() => {
    res.writeStatus(statusLine(reply.status));
    for (const [k, v] of Object.entries(CORS)) res.writeHeader(k, v);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.writeHeader(k, v);
    if (reply.status === 204) res.endWithoutBody(0, close);
    else res.end(reply.body ?? '', close);
  });
}

function errorReply(err: WasmbaseError): BodyReply {
  // Internal errors are logged in full; the client gets no details.
  if (err.code === 'INTERNAL')
    err = new WasmbaseError('INTERNAL', 'internal server error (details are in the server log)');
  const retry = err.retryAfterSec === undefined ? {} : { 'retry-after': String(err.retryAfterSec) };
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', ...retry },
    body: JSON.stringify(err.toBody()),
  };
}

function paramNames(pattern: string): string[] {
  return pattern
    .split('/')
    .filter(p => p.startsWith(':'))
    .map(p => p.slice(1));
}

export async function startHttpServer(deps: ServerDeps): Promise<HttpServer> {
  // Read before anything listens: a bad --web-dir stops the start.
  const webFiles = deps.config.webDir === '' ? [] : loadStaticFiles(deps.config.webDir);
  const uws = loadUws();
  const app = uws.App();
  const { config, logger } = deps;
  const limits: Record<BodyLimit, { bytes: number; flag: string }> = {
    none: { bytes: 0, flag: '' },
    body: { bytes: config.maxBodyBytes, flag: '--max-body-bytes' },
    module: { bytes: config.maxModuleBytes, flag: '--max-module-bytes' },
    sql: { bytes: config.maxSqlBytes, flag: '--max-sql-bytes' },
    transfer: { bytes: config.maxTransferBytes, flag: '--max-transfer-bytes' },
    archive: { bytes: config.maxArchiveBytes, flag: '--max-archive-bytes' },
  };
  const streams = new Set<OpenStream>();
  let closed = false;

  const register = (route: Route): void => {
    const names = paramNames(route.pattern);
    app[route.method](route.pattern, (res, req) => {
      let aborted = false;
      let stream: OpenStream | undefined;
      res.onAborted(() => {
        aborted = true;
        stream?.aborted();
      });
      const params: Record<string, string> = {};
      let badParam: string | undefined;
      names.forEach((name, i) => {
        const raw = req.getParameter(i) ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          badParam = name;
          params[name] = raw;
        }
      });
      const lengthHeader = req.getHeader('content-length');
      const address = ADDRESS_TEXT.decode(res.getRemoteAddressAsText());
      const ctxBase = {
        method: req.getMethod().toUpperCase(),
        path: req.getUrl(),
        query: new URLSearchParams(req.getQuery() ?? ''),
        params,
        authorization: req.getHeader('authorization'),
        contentType: req.getHeader('content-type'),
        address,
        isAborted: () => aborted,
      };
      const limit = limits[route.body];
      const declared = lengthHeader === '' ? undefined : Number(lengthHeader);
      const bodyPromise =
        route.body === 'none'
          ? Promise.resolve(new Uint8Array(0))
          : readBody(res, limit.bytes, limit.flag, declared);
      void (async () => {
        try {
          const body = await bodyPromise;
          if (badParam !== undefined)
            throw new WasmbaseError(
              'BAD_REQUEST',
              `the ${badParam} part of the path is not valid percent-encoding`,
            );
          const reply = await route.handler({ ...ctxBase, body });
          if ('start' in reply) {
            if (aborted || closed) return reply.cancel();
            const opened = openStream(res, reply, CORS, () => streams.delete(opened));
            stream = opened;
            streams.add(opened);
            reply.start(opened);
          } else if (!aborted) writeReply(res, reply);
        } catch (err) {
          const error = toWasmbaseError(err);
          // Reducer failures (530) and timeouts (504) are the module's business: they are in its
          // log.
          if (error.status >= 500 && error.status !== 530 && error.status !== 504)
            logger.error('request failed', {
              method: ctxBase.method,
              path: ctxBase.path,
              code: error.code,
              err,
            });
          if (!aborted) writeReply(res, errorReply(error), error.code === 'BODY_TOO_LARGE');
        }
      })();
    });
  };

  const subscribe = registerSubscribeRoute(app, deps);
  const routes = [
    ...identityRoutes(deps),
    ...databaseRoutes(deps),
    ...transferRoutes(deps),
    ...archiveRoutes(deps),
    ...staticRoutes(webFiles),
  ];
  if (webFiles.length > 0)
    logger.info('serving web files at /', { dir: config.webDir, files: webFiles.length });
  for (const route of routes) register(route);
  const shapes = routes.map(r => ({
    method: r.method === 'del' ? 'DELETE' : r.method.toUpperCase(),
    regex: new RegExp(`^${r.pattern.replace(/:[a-z_]+/g, '[^/]+')}/?$`),
  }));
  app.options('/*', res => writeReply(res, { status: 204 }));
  app.any('/*', (res, req) => {
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    const allowed = [...new Set(shapes.filter(s => s.regex.test(url)).map(s => s.method))];
    const err =
      allowed.length > 0
        ? new WasmbaseError(
            'METHOD_NOT_ALLOWED',
            `${method} is not allowed on ${url.slice(0, 200)}; use ${allowed.join(' or ')}`,
            { allowed },
          )
        : new WasmbaseError(
            'ROUTE_NOT_FOUND',
            `no route ${method} ${url.slice(0, 200)}; see the HTTP API in runtime/http/README.md`,
          );
    writeReply(res, {
      ...errorReply(err),
      ...(allowed.length > 0
        ? { headers: { 'content-type': 'application/json', allow: allowed.join(', ') } }
        : {}),
    });
  });

  const socket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(config.host, config.port, s =>
      s === false
        ? reject(
            new WasmbaseError(
              'UNAVAILABLE',
              `cannot listen on ${config.host}:${config.port} (is the port in use?)`,
            ),
          )
        : resolve(s),
    );
  });
  const port = uws.us_socket_local_port(socket as never);
  return {
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      uws.us_listen_socket_close(socket);
      for (const open of [...streams]) open.end();
      subscribe.close();
    },
  };
}
