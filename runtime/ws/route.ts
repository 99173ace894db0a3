/**
 * @module
 * `GET /v1/database/:name_or_identity/subscribe`: the WebSocket upgrade (protocol choice, query
 * parameters, authentication), then the life of the connection — `client_connected` before
 * the first message, frames decoded by the protocol's handler and queued on its session,
 * `client_disconnected` on close. Everything protocol-specific is in `v1/` and `v2/`.
 *
 * The abuse limits (`api/limits`) are asked at the upgrade: minting an identity for a client
 * without a token (RATE_LIMITED), and a slot among the identity's and the address's open
 * connections (CONNECTION_LIMIT); either refusal is a 429 with `Retry-After` and the error
 * body, before any WebSocket exists. The slot is given back when the socket closes. Each call
 * then passes the connection's call gate.
 */
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import {
  Connection,
  Feeds,
  mintIdentity,
  type AbuseLimits,
  type CallGate,
  type ConnectionSlot,
} from '../api/index.js';
import { bearerToken, type TokenService } from '../auth/index.js';
import type { Config } from '../config.js';
import type { DatabaseHandle, Engine } from '../host/index.js';
import type { Logger } from '../log/index.js';
import {
  statusLine,
  toWasmbaseError,
  WasmbaseError,
  WS_CLOSE,
  WS_PROTOCOL_V1_JSON,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
} from '../protocol/index.js';
import type { ConnectionHandler, HandlerDeps, HandlerInit } from './handler.js';
import { chooseProtocol, readParams, type WsProtocol } from './negotiate.js';
import type { WsSocket } from './session.js';
import { V1Handler } from './v1/v1-handler.js';
import { V2Handler } from './v2/v2-handler.js';

export interface WsDeps {
  readonly config: Config;
  readonly engine: Engine;
  readonly tokens: TokenService;
  readonly logger: Logger;
  readonly limits: AbuseLimits;
}

/** What the upgrade hands to `open`. */
interface UpgradeData {
  readonly handle: DatabaseHandle;
  readonly protocol: WsProtocol;
  readonly init: HandlerInit;
  /** This connection's place in the open-connection counts. */
  readonly slot: ConnectionSlot;
  readonly gate: CallGate;
  handler?: ConnectionHandler;
}

const ADDRESS_TEXT = new TextDecoder();

export interface SubscribeRoute {
  /** Closes every connection (server shutdown). */
  close(): void;
}

function rejectUpgrade(res: HttpResponse, err: WasmbaseError): void {
  res.writeStatus(statusLine(err.status));
  res.writeHeader('content-type', 'application/json');
  res.writeHeader('access-control-allow-origin', '*');
  if (err.retryAfterSec !== undefined) res.writeHeader('retry-after', String(err.retryAfterSec));
  res.end(JSON.stringify(err.toBody()));
}

function handlerFor(
  protocol: WsProtocol,
  socket: WsSocket,
  deps: HandlerDeps,
  init: HandlerInit,
): ConnectionHandler {
  switch (protocol) {
    case WS_PROTOCOL_V3_BSATN:
      return new V2Handler(socket, deps, init, true);
    case WS_PROTOCOL_V2_BSATN:
      return new V2Handler(socket, deps, init, false);
    case WS_PROTOCOL_V1_JSON:
      return new V1Handler(socket, deps, init, 'json');
    default:
      return new V1Handler(socket, deps, init, 'bsatn');
  }
}

/** `client_connected`, then the feed, then the first message; a refusal closes with 1008. */
async function accept(handler: ConnectionHandler, data: UpgradeData, deps: HandlerDeps) {
  const { identity, params } = data.init;
  let connection: Connection;
  try {
    const { handle, gate } = data;
    connection = await Connection.open(handle, identity, params.connectionId, deps.logger, gate);
  } catch (err) {
    const error = toWasmbaseError(err);
    if (error.code === 'INTERNAL') deps.logger.error('client_connected failed', { err });
    handler.session.close(WS_CLOSE.POLICY_VIOLATION, error.message);
    return;
  }
  if (handler.session.closed) {
    await connection.close();
    return;
  }
  try {
    handler.start(connection, deps.feeds.join(data.handle, handler));
  } catch (err) {
    handler.session.close(WS_CLOSE.SERVICE_RESTART, toWasmbaseError(err).message);
    await connection.close();
  }
}

/**
 * The transport's own message ceiling: 4× `--ws-max-message-bytes`. Messages over our limit
 * and under this close with 1009; beyond it uWS cuts the connection without buffering them.
 */
export function transportMessageCeiling(limit: number): number {
  return Math.min(limit * 4, 0x7fff_ffff);
}

function tooBigReason(bytes: number, limit: number): string {
  return `a message of ${bytes} bytes is over the limit of ${limit} (--ws-max-message-bytes)`;
}

export function registerSubscribeRoute(app: TemplatedApp, deps: WsDeps): SubscribeRoute {
  const { config, engine, tokens, logger, limits: abuse } = deps;
  const limits = {
    rowLimit: config.sqlRowLimit,
    maxSubscriptions: config.wsMaxSubscriptions,
  };
  const handlerDeps: HandlerDeps = {
    feeds: new Feeds(engine, limits, logger),
    limits: {
      maxBufferedBytes: config.wsMaxBackpressureBytes,
      maxInflightCalls: config.wsMaxInflightCalls,
      maxQueuedMessages: config.wsMaxQueuedMessages,
    },
    rowLimit: config.sqlRowLimit,
    queryLimit: {
      maxBytes: config.wsMaxQueryBytes,
      flag: 'ws-max-query-bytes',
      what: 'the one-off query result',
    },
    subscribeLimit: {
      maxBytes: config.wsMaxSubscribeBytes,
      flag: 'ws-max-subscribe-bytes',
      what: 'the initial rows of the subscription',
    },
    logger,
  };

  app.ws<UpgradeData>('/v1/database/:name_or_identity/subscribe', {
    // uWS drops a connection whose message is over its own limit without a close frame (1006),
    // so its limit is a ceiling above ours and ours closes with 1009 and a reason.
    maxPayloadLength: transportMessageCeiling(config.wsMaxMessageBytes),
    idleTimeout: config.wsIdleTimeoutSec,
    sendPingsAutomatically: true,
    // Our own limit (checked before every send) closes slow clients with a reason; uWS's
    // must never drop a message silently before that.
    maxBackpressure: config.wsMaxBackpressureBytes + 64 * 1024 * 1024,

    // The whole upgrade runs inside uWS's callback (token checks are synchronous): an upgrade
    // after an await must be corked, and this uWS build can then close the new socket.
    upgrade: (res, req, context) => {
      let slot: ConnectionSlot | undefined;
      try {
        const address = ADDRESS_TEXT.decode(res.getRemoteAddressAsText());
        const protocol = chooseProtocol(req.getHeader('sec-websocket-protocol'));
        const query = new URLSearchParams(req.getQuery() ?? '');
        const params = readParams(query, protocol);
        let name: string;
        try {
          name = decodeURIComponent(req.getParameter(0) ?? '');
        } catch {
          const why = 'the database part of the path is not valid percent-encoding';
          throw new WasmbaseError('BAD_REQUEST', why);
        }
        const handle = engine.resolve(name);
        if (handle === undefined) {
          throw new WasmbaseError('DATABASE_NOT_FOUND', `no database "${name.slice(0, 80)}"`);
        }
        const presented = bearerToken(req.getHeader('authorization'), query);
        const { identity, token } =
          presented === undefined
            ? mintIdentity(tokens, abuse, address)
            : { identity: tokens.verifySync(presented).identity, token: presented };
        const isOwner = identity.equals(handle.info.owner);
        const who = { identity, address };
        slot = abuse.openConnection(who);
        const init = { identity, isOwner, token, params };
        const data: UpgradeData = { handle, protocol, init, slot, gate: abuse.callGate(who) };
        const key = req.getHeader('sec-websocket-key');
        const extensions = req.getHeader('sec-websocket-extensions');
        res.upgrade(data, key, protocol, extensions, context);
      } catch (err) {
        slot?.release();
        const error = toWasmbaseError(err);
        if (error.code === 'INTERNAL') logger.error('websocket upgrade failed', { err });
        const hidden = 'internal server error (details are in the server log)';
        rejectUpgrade(
          res,
          error.code === 'INTERNAL' ? new WasmbaseError('INTERNAL', hidden) : error,
        );
      }
    },

    open: ws => {
      const data = ws.getUserData();
      if (engine.resolve(data.handle.info.identity.toHex()) !== data.handle) {
        ws.end(WS_CLOSE.SERVICE_RESTART, 'the database changed while connecting; reconnect');
        return;
      }
      const handler = handlerFor(data.protocol, ws, handlerDeps, data.init);
      data.handler = handler;
      void accept(handler, data, handlerDeps);
    },

    message: (ws, buffer, isBinary) => {
      const handler = ws.getUserData().handler;
      if (buffer.byteLength > config.wsMaxMessageBytes) {
        const why = tooBigReason(buffer.byteLength, config.wsMaxMessageBytes);
        if (handler === undefined) ws.end(WS_CLOSE.MESSAGE_TOO_BIG, why);
        else handler.session.close(WS_CLOSE.MESSAGE_TOO_BIG, why);
        return;
      }
      // Decoding copies what it keeps, before uWS reuses the buffer.
      handler?.onFrame(new Uint8Array(buffer), isBinary);
    },

    close: ws => {
      const data = ws.getUserData();
      data.slot.release();
      const handler = data.handler;
      if (handler === undefined) return;
      handler.closed().catch((err: unknown) => logger.debug('disconnect failed', { err }));
    },
  });

  return { close: () => handlerDeps.feeds.close() };
}
