/**
 * @module
 * The wire-level vocabulary of wasmbase: errors, BSATN, SATS types and JSON, module schemas,
 * identities, row lists, and the WebSocket messages of each protocol version (`ws-v1/`,
 * `ws-v2/`, which also holds v3's batching). A portable leaf: it imports nothing else from
 * `runtime/`, no `node:*` module and no `Buffer`, so a browser client can use it too. What needs
 * zlib (compressing frames) lives in `runtime/ws/frame-compression.ts`.
 */
export * from './error.js';
export { statusLine } from './http-status.js';
export * from './bsatn-reader.js';
export * from './bsatn-writer.js';
export * from './bsatn-value.js';
export type * from './sats.js';
export { ALGEBRAIC_TYPE_TAGS } from './sats.js';
export type * from './module-def.js';
export { SCHEMA_SECTION } from './module-def.js';
export { visibleModuleDef } from './module-def-visible.js';
export type * from './module-schema.js';
export {
  moduleDefFromJson,
  moduleDefFromJsonText,
  moduleDefToJson,
  MAX_SCHEMA_JSON_BYTES,
} from './module-def-json.js';
export { resolveModuleSchema, SCHEMA_LIMITS } from './module-schema-resolve.js';
export {
  isScheduleAtType,
  sameAlgebraicType,
  SCHEDULE_AT_VARIANTS,
} from './module-schedule-resolve.js';
export { typeFromJson, typeToJson, productTypeToJson } from './sats-type-json.js';
export {
  valueFromJson,
  valueToJson,
  reducerArgsFromJson,
  formatType,
  specialKind,
} from './sats-json.js';
export { Identity, ConnectionId } from './identity.js';
export { encodeRowList, decodeRowList } from './row-list.js';
export { bytesToHex, hexToBytes, utf8ByteLength } from './hex-utf8.js';
export { sha256 } from './sha256.js';
export { WS_CLOSE, wsCloseCodeFor } from './ws-close.js';
export { WS_LIMITS } from './ws-limits.js';
export {
  COMPRESSION_THRESHOLD_BYTES,
  MAX_DECOMPRESSED_BYTES,
  FRAME_TAG_NONE,
  FRAME_TAG_BROTLI,
  FRAME_TAG_GZIP,
  frameCompressionFor,
  frameTagOf,
  splitServerFrame,
  type Decompressor,
  type WsCompression,
} from './ws-frame.js';

// v1: `v1.bsatn.spacetimedb` and `v1.json.spacetimedb`.
export type * from './ws-v1/ws-messages.js';
export {
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  CALL_REDUCER_FLAGS,
  CLIENT_MESSAGE_TAGS,
  SERVER_MESSAGE_TAGS,
} from './ws-v1/ws-messages.js';
export { encodeClientMessageBsatn, decodeClientMessageBsatn } from './ws-v1/ws-bsatn-client.js';
export { encodeServerMessageBsatn } from './ws-v1/ws-bsatn-server-encode.js';
export { decodeServerMessageBsatn } from './ws-v1/ws-bsatn-server-decode.js';
export { encodeClientMessageJson, decodeClientMessageJson } from './ws-v1/ws-json-client.js';
export { encodeServerMessageJson } from './ws-v1/ws-json-server-encode.js';
export { decodeServerMessageJson } from './ws-v1/ws-json-server-decode.js';
export { rowToJsonText, argsToJsonText } from './ws-v1/ws-json-value.js';
export { parseJsonExact, type JsonValue } from './ws-v1/ws-json-parse.js';

// v2: `v2.bsatn.spacetimedb`; v3 (`v3.bsatn.spacetimedb`) batches v2 messages.
export type * from './ws-v2/ws-v2-messages.js';
export {
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  V3_MAX_COALESCED_BYTES,
  UNSUBSCRIBE_FLAGS,
  V2_CLIENT_MESSAGE_TAGS,
  V2_SERVER_MESSAGE_TAGS,
} from './ws-v2/ws-v2-messages.js';
export { encodeV2ClientMessage, decodeV2ClientMessage } from './ws-v2/ws-v2-client.js';
export { encodeV2ServerMessage } from './ws-v2/ws-v2-server-encode.js';
export { decodeV2ServerMessage } from './ws-v2/ws-v2-server-decode.js';
export {
  decodeV3ClientPayload,
  encodeV3ClientPayload,
  packV3Payloads,
  decodeV3ServerPayload,
} from './ws-v2/ws-v3-payload.js';
export { checkJsonDepth, MAX_ARGUMENT_JSON_DEPTH } from './json-depth.js';
