/**
 * @module
 * The uWebSockets.js server: registers the route table, copies each request out of uWS, reads
 * the body with the route's limit, runs the handler and writes its reply. Every failure becomes
 * a JSON error body (`{"error":{"code","number","message"}}`); input never causes a 5xx.
 */
import type { Config } from '../config.js';
import { toWasmbaseError, WasmbaseError } from '../errors.js';
import type { Engine } from '../host/index.js';
import type { Logger } from '../log/index.js';
import type { TokenService } from '../auth/index.js';
import { readBody } from './body.js';
import type { Reply, RequestContext } from './request.js';
import { databaseRoutes } from './routes-database.js';
import { identityRoutes } from './routes-identity.js';
import { statusLine } from './status.js';
import { loadUws, type HttpResponse, type us_listen_socket } from './uws.js';

export interface ServerDeps {
  readonly config: Config;
  readonly engine: Engine;
  readonly tokens: TokenService;
  readonly logger: Logger;
}

export type BodyLimit = 'none' | 'body' | 'module';

export interface Route {
  readonly method: 'get' | 'post' | 'put' | 'del';
  readonly pattern: string;
  readonly body: BodyLimit;
  readonly handler: (ctx: RequestContext) => Promise<Reply>;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Accept, Content-Type',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-expose-headers': 'spacetime-identity, spacetime-identity-token',
};

function writeReply(res: HttpResponse, reply: Exclude<Reply, { stream: unknown }>, close = false): void {
  res.cork(() => {
    res.writeStatus(statusLine(reply.status));
    for (const [k, v] of Object.entries(CORS)) res.writeHeader(k, v);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.writeHeader(k, v);
    if (reply.status === 204) res.endWithoutBody(0, close);
    else res.end(reply.body ?? '', close);
  });
}

function errorReply(err: WasmbaseError): Exclude<Reply, { stream: unknown }> {
  return { status: err.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(err.toBody()) };
}

function paramNames(pattern: string): string[] {
  return pattern.split('/').filter(p => p.startsWith(':')).map(p => p.slice(1));
}

export async function startHttpServer(deps: ServerDeps): Promise<HttpServer> {
  const uws = loadUws();
  const app = uws.App();
  const { config, logger } = deps;
  const limits: Record<BodyLimit, { bytes: number; flag: string }> = {
    none: { bytes: 0, flag: '' },
    body: { bytes: config.maxBodyBytes, flag: '--max-body-bytes' },
    module: { bytes: config.maxModuleBytes, flag: '--max-module-bytes' },
  };

  const register = (route: Route): void => {
    const names = paramNames(route.pattern);
    app[route.method](route.pattern, (res, req) => {
      let aborted = false;
      const abortHandlers: (() => void)[] = [];
      res.onAborted(() => {
        aborted = true;
        for (const fn of abortHandlers) fn();
      });
      const params: Record<string, string> = {};
      names.forEach((name, i) => (params[name] = decodeURIComponent(req.getParameter(i) ?? '')));
      const lengthHeader = req.getHeader('content-length');
      const ctxBase = {
        method: req.getMethod().toUpperCase(),
        path: req.getUrl(),
        query: new URLSearchParams(req.getQuery() ?? ''),
        params,
        authorization: req.getHeader('authorization'),
        contentType: req.getHeader('content-type'),
        isAborted: () => aborted,
      };
      const limit = limits[route.body];
      const declared = lengthHeader === '' ? undefined : Number(lengthHeader);
      const bodyPromise = route.body === 'none' ? Promise.resolve(new Uint8Array(0)) : readBody(res, limit.bytes, limit.flag, declared);
      void (async () => {
        try {
          const body = await bodyPromise;
          const reply = await route.handler({ ...ctxBase, body });
          if (aborted) return;
          if ('stream' in reply) reply.stream(res, fn => abortHandlers.push(fn));
          else writeReply(res, reply);
        } catch (err) {
          const error = toWasmbaseError(err);
          if (error.code === 'INTERNAL') logger.error('request failed', { method: ctxBase.method, path: ctxBase.path, err });
          if (!aborted) writeReply(res, errorReply(error), error.code === 'BODY_TOO_LARGE');
        }
      })();
    });
  };

  for (const route of [...identityRoutes(deps), ...databaseRoutes(deps)]) register(route);
  app.options('/*', res => writeReply(res, { status: 204 }));
  app.any('/*', (res, req) => {
    const err = new WasmbaseError('ROUTE_NOT_FOUND', `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}; see the HTTP API in runtime/http/README.md`);
    writeReply(res, errorReply(err));
  });

  const socket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(config.host, config.port, s => (s === false ? reject(new WasmbaseError('UNAVAILABLE', `cannot listen on ${config.host}:${config.port} (is the port in use?)`)) : resolve(s)));
  });
  const port = uws.us_socket_local_port(socket as never);
  return {
    port,
    close: async () => {
      uws.us_listen_socket_close(socket);
    },
  };
}
