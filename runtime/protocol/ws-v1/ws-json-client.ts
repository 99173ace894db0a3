/**
 * @module
 * Client messages of the text v1 protocol (`v1.json.spacetimedb`), both ways, as SpacetimeDB's
 * SATS-JSON: `{"<Variant>": {<snake_case fields>}}`, a `QueryId` as `{"id": n}`, bytes as hex,
 * reducer arguments as a JSON text inside a string (`"[1,2,1]"`).
 *
 * The decoder runs on the server over hostile text: names, query strings and message ids are
 * held to `WS_LIMITS`, products must have exactly their fields, and every failure is
 * `PROTOCOL_DECODE` naming the field's path.
 */
import { WasmbaseError } from '../error.js';
import { bytesToHex } from '../hex-utf8.js';
import { WS_LIMITS } from '../ws-limits.js';
import * as read from './ws-json-read.js';
import { CLIENT_MESSAGE_TAGS, type ClientMessage, type WsArgs } from './ws-messages.js';

const q = JSON.stringify;

function argsText(args: WsArgs, what: string): string {
  if (args.format !== 'json')
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${what}: the JSON protocol carries arguments as JSON text, got BSATN bytes`,
    );
  return args.text;
}

/** Encodes a client message as SATS-JSON text. */
export function encodeClientMessageJson(msg: ClientMessage): string {
  switch (msg.tag) {
    case 'CallReducer':
      return q({
        CallReducer: {
          reducer: msg.reducer,
          args: argsText(msg.args, 'CallReducer'),
          request_id: msg.requestId,
          flags: msg.flags,
        },
      });
    case 'Subscribe':
      return q({ Subscribe: { query_strings: msg.queryStrings, request_id: msg.requestId } });
    case 'OneOffQuery':
      return q({
        OneOffQuery: { message_id: bytesToHex(msg.messageId), query_string: msg.queryString },
      });
    case 'SubscribeSingle':
      return q({
        SubscribeSingle: {
          query: msg.query,
          request_id: msg.requestId,
          query_id: { id: msg.queryId },
        },
      });
    case 'SubscribeMulti':
      return q({
        SubscribeMulti: {
          query_strings: msg.queryStrings,
          request_id: msg.requestId,
          query_id: { id: msg.queryId },
        },
      });
    case 'Unsubscribe':
      return q({ Unsubscribe: { request_id: msg.requestId, query_id: { id: msg.queryId } } });
    case 'UnsubscribeMulti':
      return q({ UnsubscribeMulti: { request_id: msg.requestId, query_id: { id: msg.queryId } } });
    case 'CallProcedure':
      return q({
        CallProcedure: {
          procedure: msg.procedure,
          args: argsText(msg.args, 'CallProcedure'),
          request_id: msg.requestId,
          flags: msg.flags,
        },
      });
  }
}

/** Arguments as JSON text, as the JSON protocol carries them (`"[1,2,1]"`). */
export function jsonArgs(v: unknown, path: string): WsArgs {
  if (typeof v !== 'string')
    read.jsonFail(path, 'expected the arguments as a JSON text string, such as "[1,2,1]"');
  return { format: 'json', text: v };
}

function flags(v: unknown, path: string, max: number): number {
  const n = read.u8(v, path);
  if (n > max) read.jsonFail(path, `invalid flags ${n} (allowed 0..${max})`);
  return n;
}

function parseClientJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WasmbaseError(
      'PROTOCOL_DECODE',
      `client message: invalid JSON: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

/** Query strings within `WS_LIMITS` (count, and bytes of each). */
const queries = (v: unknown, path: string): string[] =>
  read.array(v, path, (x, p) => read.str(x, p, WS_LIMITS.queryStringBytes), WS_LIMITS.queryStrings);

/** Decodes a client message from SATS-JSON; bad input is `PROTOCOL_DECODE` naming the path. */
export function decodeClientMessageJson(text: string): ClientMessage {
  const [tag, body] = read.variant(parseClientJson(text), 'client message', CLIENT_MESSAGE_TAGS);
  switch (tag) {
    case 'CallReducer': {
      const f = read.fields(body, tag, ['reducer', 'args', 'request_id', 'flags']);
      return {
        tag,
        reducer: read.str(f['reducer'], 'CallReducer.reducer', WS_LIMITS.nameBytes),
        args: jsonArgs(f['args'], 'CallReducer.args'),
        requestId: read.u32(f['request_id'], 'CallReducer.request_id'),
        flags: flags(f['flags'], 'CallReducer.flags', 1),
      };
    }
    case 'Subscribe': {
      const f = read.fields(body, tag, ['query_strings', 'request_id']);
      return {
        tag,
        queryStrings: queries(f['query_strings'], 'Subscribe.query_strings'),
        requestId: read.u32(f['request_id'], 'Subscribe.request_id'),
      };
    }
    case 'OneOffQuery': {
      const f = read.fields(body, tag, ['message_id', 'query_string']);
      return {
        tag,
        messageId: read.hexBytes(
          f['message_id'],
          'OneOffQuery.message_id',
          WS_LIMITS.messageIdBytes,
        ),
        queryString: read.str(
          f['query_string'],
          'OneOffQuery.query_string',
          WS_LIMITS.queryStringBytes,
        ),
      };
    }
    case 'SubscribeSingle': {
      const f = read.fields(body, tag, ['query', 'request_id', 'query_id']);
      return {
        tag,
        query: read.str(f['query'], 'SubscribeSingle.query', WS_LIMITS.queryStringBytes),
        requestId: read.u32(f['request_id'], 'SubscribeSingle.request_id'),
        queryId: read.queryId(f['query_id'], 'SubscribeSingle.query_id'),
      };
    }
    case 'SubscribeMulti': {
      const f = read.fields(body, tag, ['query_strings', 'request_id', 'query_id']);
      return {
        tag,
        queryStrings: queries(f['query_strings'], 'SubscribeMulti.query_strings'),
        requestId: read.u32(f['request_id'], 'SubscribeMulti.request_id'),
        queryId: read.queryId(f['query_id'], 'SubscribeMulti.query_id'),
      };
    }
    case 'Unsubscribe':
    case 'UnsubscribeMulti': {
      const f = read.fields(body, tag, ['request_id', 'query_id']);
      return {
        tag,
        requestId: read.u32(f['request_id'], `${tag}.request_id`),
        queryId: read.queryId(f['query_id'], `${tag}.query_id`),
      };
    }
    case 'CallProcedure': {
      const f = read.fields(body, tag, ['procedure', 'args', 'request_id', 'flags']);
      return {
        tag,
        procedure: read.str(f['procedure'], 'CallProcedure.procedure', WS_LIMITS.nameBytes),
        args: jsonArgs(f['args'], 'CallProcedure.args'),
        requestId: read.u32(f['request_id'], 'CallProcedure.request_id'),
        flags: flags(f['flags'], 'CallProcedure.flags', 0),
      };
    }
  }
}
