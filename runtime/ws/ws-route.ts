/**
 * @module
 * `GET /v1/database/:name_or_identity/subscribe`: the WebSocket upgrade (protocol choice, query
 * parameters, authentication), then the life of the connection — `client_connected` before
 * `IdentityToken`, messages decoded and queued on the session, `client_disconnected` on close.
 */
import { bearerToken, type TokenService } from '../auth/index.js';
import type { Config } from '../config.js';
import { toWasmbaseError, WasmbaseError, WS_CLOSE } from '../errors.js';
import type { DatabaseHandle, Engine } from '../host/index.js';
import type { Logger } from '../log/index.js';
import {
  ConnectionId,
  decodeClientMessageBsatn,
  decodeClientMessageJson,
  statusLine,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  type ClientMessage,
  type Identity,
  type WsCompression,
} from '../protocol/index.js';
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { WsEncoding } from './ws-encode.js';
import { DatabaseFeed } from './ws-feed.js';
import { WsSession, type WsLimits } from './ws-session.js';

export interface WsDeps {
  readonly config: Config;
  readonly engine: Engine;
  readonly tokens: TokenService;
  readonly logger: Logger;
}

/** What the upgrade hands to `open`. */
interface UpgradeData {
  readonly handle: DatabaseHandle;
  readonly identity: Identity;
  readonly token: string;
  readonly connectionId: ConnectionId;
  readonly encoding: WsEncoding;
  readonly light: boolean;
  session?: WsSession;
}

export interface SubscribeRoute {
  /** Closes every connection (server shutdown). */
  close(): void;
}

const PROTOCOLS = [WS_PROTOCOL_V1_BSATN, WS_PROTOCOL_V1_JSON] as const;
const COMPRESSIONS: readonly WsCompression[] = ['None', 'Gzip', 'Brotli'];

function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = query.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new WasmbaseError(
    'BAD_REQUEST',
    `query parameter ${name} must be true or false, got "${v.slice(0, 40)}"`,
  );
}

function connectionIdParam(query: URLSearchParams): ConnectionId {
  const v = query.get('connection_id');
  if (v === null || v === '') return ConnectionId.random();
  let id: ConnectionId;
  try {
    id = ConnectionId.fromHex(v);
  } catch {
    throw new WasmbaseError('BAD_REQUEST', 'query parameter connection_id must be 32 hex digits');
  }
  if (id.isZero())
    throw new WasmbaseError('BAD_REQUEST', 'query parameter connection_id must not be zero');
  return id;
}

function rejectUpgrade(res: HttpResponse, err: WasmbaseError): void {
  res.writeStatus(statusLine(err.status));
  res.writeHeader('content-type', 'application/json');
  res.writeHeader('access-control-allow-origin', '*');
  res.end(JSON.stringify(err.toBody()));
}

export function registerSubscribeRoute(app: TemplatedApp, deps: WsDeps): SubscribeRoute {
  const { config, engine, tokens, logger } = deps;
  const limits: WsLimits = {
    maxBufferedBytes: config.wsMaxBackpressureBytes,
    maxInflightCalls: config.wsMaxInflightCalls,
    maxQueuedMessages: config.wsMaxQueuedMessages,
    maxSubscriptions: config.wsMaxSubscriptions,
  };
  const feeds = new Map<string, DatabaseFeed>();

  const feedFor = (handle: DatabaseHandle): DatabaseFeed => {
    const key = handle.info.identity.toHex();
    let feed = feeds.get(key);
    if (feed === undefined || feed.handle !== handle) {
      feed?.close(WS_CLOSE.SERVICE_RESTART, 'the database module was updated; reconnect');
      feed = new DatabaseFeed(handle, logger.child({ database: key }), config.sqlRowLimit);
      feeds.set(key, feed);
    }
    return feed;
  };
  const dropFeed = (identity: Identity, code: number, reason: string): void => {
    const key = identity.toHex();
    feeds.get(key)?.close(code, reason);
    feeds.delete(key);
  };
  const stopDelete = engine.onDelete(identity =>
    dropFeed(identity, WS_CLOSE.GOING_AWAY, 'the database was deleted'),
  );
  const stopUpdate = engine.onUpdate(identity =>
    dropFeed(identity, WS_CLOSE.SERVICE_RESTART, 'the database module was updated; reconnect'),
  );

  const lifecycle = (handle: DatabaseHandle, kind: 'OnConnect' | 'OnDisconnect') =>
    handle.schema.reducers.find(r => r.lifecycle === kind);

  app.ws<UpgradeData>('/v1/database/:name_or_identity/subscribe', {
    maxPayloadLength: config.wsMaxMessageBytes,
    idleTimeout: config.wsIdleTimeoutSec,
    sendPingsAutomatically: true,
    // Our own limit (checked before every send) closes slow clients with a reason; uWS's
    // must never drop a message silently before that.
    maxBackpressure: config.wsMaxBackpressureBytes + 64 * 1024 * 1024,

    // The whole upgrade runs inside uWS's callback (token checks are synchronous): an upgrade
    // after an await must be corked, and this uWS build can then close the new socket.
    upgrade: (res, req, context) => {
      try {
        const query = new URLSearchParams(req.getQuery() ?? '');
        const wanted = req
          .getHeader('sec-websocket-protocol')
          .split(',')
          .map(p => p.trim());
        const protocol = PROTOCOLS.find(p => wanted.includes(p));
        if (protocol === undefined)
          throw new WasmbaseError(
            'BAD_REQUEST',
            `no valid protocol selected: offer one of ${PROTOCOLS.join(', ')} in Sec-WebSocket-Protocol`,
          );
        let name: string;
        try {
          name = decodeURIComponent(req.getParameter(0) ?? '');
        } catch {
          throw new WasmbaseError(
            'BAD_REQUEST',
            'the database part of the path is not valid percent-encoding',
          );
        }
        const compression = query.get('compression') ?? 'Brotli';
        if (!(COMPRESSIONS as readonly string[]).includes(compression))
          throw new WasmbaseError(
            'BAD_REQUEST',
            `query parameter compression must be one of ${COMPRESSIONS.join(', ')}, got "${compression.slice(0, 40)}"`,
          );
        const light = boolParam(query, 'light', false);
        // Every message is sent once its transaction is durable, so confirmed reads are always on.
        boolParam(query, 'confirmed', true);
        const connectionId = connectionIdParam(query);
        const handle = engine.resolve(name);
        if (handle === undefined)
          throw new WasmbaseError('DATABASE_NOT_FOUND', `no database "${name.slice(0, 80)}"`);
        const presented = bearerToken(req.getHeader('authorization'), query);
        const { identity, token } =
          presented === undefined
            ? tokens.mintIdentitySync()
            : { identity: tokens.verifySync(presented).identity, token: presented };
        const data: UpgradeData = {
          handle,
          identity,
          token,
          connectionId,
          encoding: {
            format: protocol === WS_PROTOCOL_V1_JSON ? 'json' : 'bsatn',
            compression: compression as WsCompression,
          },
          light,
        };
        res.upgrade(
          data,
          req.getHeader('sec-websocket-key'),
          protocol,
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      } catch (err) {
        const error = toWasmbaseError(err);
        if (error.code === 'INTERNAL') logger.error('websocket upgrade failed', { err });
        rejectUpgrade(
          res,
          error.code === 'INTERNAL'
            ? new WasmbaseError('INTERNAL', 'internal server error (details are in the server log)')
            : error,
        );
      }
    },

    open: ws => {
      const data = ws.getUserData();
      const handle = engine.resolve(data.handle.info.identity.toHex());
      if (handle !== data.handle) {
        ws.end(WS_CLOSE.SERVICE_RESTART, 'the database changed while connecting; reconnect');
        return;
      }
      const feed = feedFor(handle);
      const session = new WsSession({
        ...data,
        isOwner: data.identity.equals(handle.info.owner),
        feed,
        socket: ws,
        limits,
      });
      data.session = session;
      feed.sessions.add(session);
      void (async () => {
        const onConnect = lifecycle(handle, 'OnConnect');
        if (onConnect !== undefined) {
          const outcome = await handle
            .call({
              reducer: onConnect.name,
              args: new Uint8Array(0),
              sender: session.identity,
              connectionId: session.connectionId,
              allowLifecycle: true,
            })
            .catch((err: unknown) => ({ status: 'failed' as const, error: toWasmbaseError(err) }));
          if (outcome.status === 'failed') {
            session.close(
              WS_CLOSE.POLICY_VIOLATION,
              `the database refused the connection: ${outcome.error.message}`,
            );
            return;
          }
        }
        if (session.closed) return;
        session.send(
          session.encode({
            tag: 'IdentityToken',
            identity: session.identity,
            token: session.token,
            connectionId: session.connectionId,
          }),
        );
        session.markReady();
      })();
    },

    message: (ws, buffer, isBinary) => {
      const session = ws.getUserData().session;
      if (session === undefined || session.closed) return;
      let message: ClientMessage;
      try {
        if (session.encoding.format === 'bsatn') {
          if (!isBinary)
            throw new WasmbaseError(
              'PROTOCOL_DECODE',
              'text frame on the v1.bsatn protocol: send binary BSATN messages',
            );
          // Decoding copies what it keeps, before uWS reuses the buffer.
          message = decodeClientMessageBsatn(new Uint8Array(buffer));
        } else {
          if (isBinary)
            throw new WasmbaseError(
              'PROTOCOL_DECODE',
              'binary frame on the v1.json protocol: send text JSON messages',
            );
          message = decodeClientMessageJson(Buffer.from(buffer).toString('utf8'));
        }
      } catch (err) {
        session.close(
          isBinary === (session.encoding.format === 'bsatn')
            ? WS_CLOSE.INVALID_PAYLOAD
            : WS_CLOSE.UNSUPPORTED_DATA,
          toWasmbaseError(err).message,
        );
        return;
      }
      session.receive(message);
    },

    close: ws => {
      const session = ws.getUserData().session;
      if (session === undefined) return;
      session.markClosed();
      const feed = session.feed;
      feed.remove(session);
      if (feed.sessions.size === 0 && feeds.get(feed.handle.info.identity.toHex()) === feed) {
        feed.close(WS_CLOSE.NORMAL, '');
        feeds.delete(feed.handle.info.identity.toHex());
      }
      const onDisconnect = lifecycle(feed.handle, 'OnDisconnect');
      if (
        onDisconnect !== undefined &&
        engine.resolve(feed.handle.info.identity.toHex()) === feed.handle
      ) {
        // Its failure is in the module log.
        feed.handle
          .call({
            reducer: onDisconnect.name,
            args: new Uint8Array(0),
            sender: session.identity,
            connectionId: session.connectionId,
            allowLifecycle: true,
          })
          .catch((err: unknown) => logger.debug('client_disconnected did not run', { err }));
      }
    },
  });

  return {
    close: () => {
      stopDelete();
      stopUpdate();
      for (const feed of feeds.values())
        feed.close(WS_CLOSE.GOING_AWAY, 'the server is shutting down');
      feeds.clear();
    },
  };
}
