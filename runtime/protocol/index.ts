/**
 * @module
 * The wire-level vocabulary of wasmbase: errors, BSATN, SATS types and JSON, module schemas,
 * identities and row lists. A leaf: it imports nothing else from `runtime/`, so the client SDK
 * can use it too.
 */
export * from './error.js';
export { statusLine } from './http-status.js';
export * from './bsatn-reader.js';
export * from './bsatn-writer.js';
export * from './bsatn-value.js';
export type * from './sats.js';
export { ALGEBRAIC_TYPE_TAGS } from './sats.js';
export type * from './module-def.js';
export type * from './module-schema.js';
export {
  moduleDefFromJson,
  moduleDefFromJsonText,
  moduleDefToJson,
  MAX_SCHEMA_JSON_BYTES,
} from './module-def-json.js';
export { resolveModuleSchema, SCHEMA_LIMITS } from './module-schema-resolve.js';
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
export type * from './ws-messages.js';
export {
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  WS_LIMITS,
  CALL_REDUCER_FLAGS,
  CLIENT_MESSAGE_TAGS,
  SERVER_MESSAGE_TAGS,
} from './ws-messages.js';
export {
  encodeClientMessageBsatn,
  decodeClientMessageBsatn,
  encodeServerMessageBsatn,
  decodeServerMessageBsatn,
} from './ws-bsatn.js';
export {
  encodeClientMessageJson,
  decodeClientMessageJson,
  encodeServerMessageJson,
  decodeServerMessageJson,
} from './ws-json.js';
export {
  frameServerPayload,
  unframeServerPayload,
  COMPRESSION_THRESHOLD_BYTES,
  MAX_DECOMPRESSED_BYTES,
} from './ws-frame.js';
export { rowToJsonText, argsToJsonText } from './ws-json-value.js';
export { parseJsonExact, type JsonValue } from './ws-json-parse.js';
