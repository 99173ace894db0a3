/**
 * @module
 * What a client may send over any WebSocket protocol version (v1, v2, v3). Decoders of client
 * messages reject anything beyond these limits with `PROTOCOL_DECODE`, before allocating.
 */
export const WS_LIMITS = {
  /** Query strings in one Subscribe / SubscribeMulti. */
  queryStrings: 64,
  /** UTF-8 bytes of one query string. */
  queryStringBytes: 64 * 1024,
  /** UTF-8 bytes of a reducer or procedure name. */
  nameBytes: 256,
  /** Bytes of a v1 OneOffQuery message id (clients send 16). */
  messageIdBytes: 1024,
} as const;
