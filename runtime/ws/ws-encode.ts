/**
 * @module
 * Turning server messages into WebSocket frames for one client's format: binary frames are the
 * BSATN payload behind a compression tag byte; JSON frames are text. Row lists are memoised on
 * their `QueryUpdate`, so an update shared by many clients is encoded once per format.
 */
import {
  encodeServerMessageBsatn,
  encodeServerMessageJson,
  frameServerPayload,
  type ModuleSchema,
  type ServerMessage,
  type WsArgs,
  type WsCompression,
} from '../protocol/index.js';

export type WsFormat = 'bsatn' | 'json';

/** What a client negotiated: its format and (binary only) its compression. */
export interface WsEncoding {
  readonly format: WsFormat;
  readonly compression: WsCompression;
}

export type WsFrame =
  | { readonly data: Uint8Array; readonly binary: true }
  | { readonly data: string; readonly binary: false };

export function encodeFrame(
  message: ServerMessage,
  encoding: WsEncoding,
  schema: ModuleSchema,
): WsFrame {
  if (encoding.format === 'json')
    return { data: encodeServerMessageJson(message, schema), binary: false };
  return {
    data: frameServerPayload(encodeServerMessageBsatn(message), encoding.compression),
    binary: true,
  };
}

/**
 * Reducer arguments for a message: the BSATN bytes (the JSON encoder renders them through the
 * reducer's parameter types); a JSON client gets `[]` for transactions that are not reducer calls
 * (SQL DML), which have no parameter types.
 */
export function argsForFormat(
  args: Uint8Array,
  format: WsFormat,
  schema: ModuleSchema,
  reducer: string,
): WsArgs {
  if (format === 'json' && schema.reducerByName(reducer) === undefined)
    return { format: 'json', text: '[]' };
  return { format: 'bsatn', bytes: args };
}
