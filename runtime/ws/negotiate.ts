/**
 * @module
 * What a client asked for when it opened the socket: the subprotocol, chosen exactly as the
 * reference server does (its own preference v3 > v2 > v1.bsatn > v1.json, the first one the
 * client offered), and the query parameters of `/subscribe`, each checked with a clear 400.
 * Confirmed reads default on for v2/v3 and off for v1, as SpacetimeDB's do.
 */
import {
  ConnectionId,
  WasmbaseError,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type WsCompression,
} from '../protocol/index.js';

/** The protocols the server speaks, in its order of preference. */
export const WS_PROTOCOLS = [
  WS_PROTOCOL_V3_BSATN,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
] as const;

export type WsProtocol = (typeof WS_PROTOCOLS)[number];

/** Most subprotocols read from `Sec-WebSocket-Protocol`, and most characters of the header. */
const MAX_OFFERED = 32;
const MAX_HEADER_CHARS = 4096;

/** The protocol to speak for a `Sec-WebSocket-Protocol` header, or BAD_REQUEST. */
export function chooseProtocol(header: string): WsProtocol {
  const offered = header
    .slice(0, MAX_HEADER_CHARS)
    .split(',', MAX_OFFERED)
    .map(p => p.trim());
  const chosen = WS_PROTOCOLS.find(p => offered.includes(p));
  if (chosen === undefined) {
    throw new WasmbaseError(
      'BAD_REQUEST',
      `no valid protocol selected: offer one of ${WS_PROTOCOLS.join(', ')} ` +
        'in Sec-WebSocket-Protocol',
    );
  }
  return chosen;
}

/** The options of one connection, from its query parameters. */
export interface WsParams {
  readonly compression: WsCompression;
  /** v1 only: non-callers get `TransactionUpdateLight`. */
  readonly light: boolean;
  /** Row updates only after the transaction is durable (a caller's own result always is). */
  readonly confirmed: boolean;
  readonly connectionId: ConnectionId;
}

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
  if (id.isZero()) {
    throw new WasmbaseError('BAD_REQUEST', 'query parameter connection_id must not be zero');
  }
  return id;
}

/** Reads and checks the query parameters for `protocol`. */
export function readParams(query: URLSearchParams, protocol: WsProtocol): WsParams {
  const compression = query.get('compression') ?? 'Brotli';
  if (!(COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new WasmbaseError(
      'BAD_REQUEST',
      `query parameter compression must be one of ${COMPRESSIONS.join(', ')}, ` +
        `got "${compression.slice(0, 40)}"`,
    );
  }
  const v1 = protocol === WS_PROTOCOL_V1_BSATN || protocol === WS_PROTOCOL_V1_JSON;
  return {
    compression: compression as WsCompression,
    light: boolParam(query, 'light', false),
    confirmed: boolParam(query, 'confirmed', !v1),
    connectionId: connectionIdParam(query),
  };
}
