/**
 * @module
 * Client messages of the binary v1 protocol (`v1.bsatn.spacetimedb`), both ways. Clients send
 * raw BSATN (no compression tag). Layouts follow SpacetimeDB's `websocket/v1.rs` field for
 * field; the tag is the variant's index in `CLIENT_MESSAGE_TAGS`.
 *
 * The decoder runs on the server over hostile input: names, query strings and message ids are
 * held to `WS_LIMITS`, trailing bytes are an error, every failure is `PROTOCOL_DECODE` naming
 * the field and the byte offset, and byte fields are copies (receive buffers are reused).
 */
import { BsatnReader } from '../bsatn-reader.js';
import { ScratchWriter, type BsatnWriter } from '../bsatn-writer.js';
import { WasmbaseError } from '../error.js';
import { WS_LIMITS } from '../ws-limits.js';
import { readByteArray, readFlags, readQueryStrings, readTag, readText } from '../wire-read.js';
import { CLIENT_MESSAGE_TAGS, type ClientMessage, type WsArgs } from './ws-messages.js';

const scratch = new ScratchWriter(1024);

/** BSATN arguments as `Array<U8>`; JSON text cannot go on the binary protocol. */
export function writeBsatnArgs(w: BsatnWriter, args: WsArgs, what: string): void {
  if (args.format !== 'bsatn')
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `${what}: the binary protocol carries BSATN arguments, got JSON text`,
    );
  w.writeBytes(args.bytes);
}

function writeStrings(w: BsatnWriter, items: readonly string[]): void {
  w.writeU32(items.length);
  for (const s of items) w.writeString(s);
}

/** Encodes a client message (no framing: clients send raw BSATN). */
export function encodeClientMessageBsatn(msg: ClientMessage): Uint8Array {
  const w = scratch.begin();
  w.writeU8(CLIENT_MESSAGE_TAGS.indexOf(msg.tag));
  switch (msg.tag) {
    case 'CallReducer':
      w.writeString(msg.reducer);
      writeBsatnArgs(w, msg.args, 'CallReducer');
      w.writeU32(msg.requestId);
      w.writeU8(msg.flags);
      break;
    case 'Subscribe':
      writeStrings(w, msg.queryStrings);
      w.writeU32(msg.requestId);
      break;
    case 'OneOffQuery':
      w.writeBytes(msg.messageId);
      w.writeString(msg.queryString);
      break;
    case 'SubscribeSingle':
      w.writeString(msg.query);
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'SubscribeMulti':
      writeStrings(w, msg.queryStrings);
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'Unsubscribe':
    case 'UnsubscribeMulti':
      w.writeU32(msg.requestId);
      w.writeU32(msg.queryId);
      break;
    case 'CallProcedure':
      w.writeString(msg.procedure);
      writeBsatnArgs(w, msg.args, 'CallProcedure');
      w.writeU32(msg.requestId);
      w.writeU8(msg.flags);
      break;
  }
  return scratch.finish();
}

/** Reads the body of the client message `tag` (the tag byte is already read). */
function readClientBody(r: BsatnReader, tag: ClientMessage['tag']): ClientMessage {
  switch (tag) {
    case 'CallReducer': {
      const reducer = readText(r, 'CallReducer.reducer', WS_LIMITS.nameBytes);
      const bytes = readByteArray(r, 'CallReducer.args');
      const requestId = r.readU32();
      const flags = readFlags(r, 1, 'CallReducer');
      return { tag, reducer, args: { format: 'bsatn', bytes }, requestId, flags };
    }
    case 'Subscribe': {
      const queryStrings = readQueryStrings(r, 'Subscribe.query_strings');
      return { tag, queryStrings, requestId: r.readU32() };
    }
    case 'OneOffQuery': {
      const messageId = readByteArray(r, 'OneOffQuery.message_id', WS_LIMITS.messageIdBytes);
      const queryString = readText(r, 'OneOffQuery.query_string', WS_LIMITS.queryStringBytes);
      return { tag, messageId, queryString };
    }
    case 'SubscribeSingle': {
      const query = readText(r, 'SubscribeSingle.query', WS_LIMITS.queryStringBytes);
      return { tag, query, requestId: r.readU32(), queryId: r.readU32() };
    }
    case 'SubscribeMulti': {
      const queryStrings = readQueryStrings(r, 'SubscribeMulti.query_strings');
      return { tag, queryStrings, requestId: r.readU32(), queryId: r.readU32() };
    }
    case 'Unsubscribe':
    case 'UnsubscribeMulti':
      return { tag, requestId: r.readU32(), queryId: r.readU32() };
    case 'CallProcedure': {
      const procedure = readText(r, 'CallProcedure.procedure', WS_LIMITS.nameBytes);
      const bytes = readByteArray(r, 'CallProcedure.args');
      const requestId = r.readU32();
      const flags = readFlags(r, 0, 'CallProcedure');
      return { tag, procedure, args: { format: 'bsatn', bytes }, requestId, flags };
    }
  }
}

/** Decodes a client message; malformed input, unknown tags, trailing bytes: `PROTOCOL_DECODE`. */
export function decodeClientMessageBsatn(bytes: Uint8Array): ClientMessage {
  const r = new BsatnReader(bytes);
  const tag = CLIENT_MESSAGE_TAGS[readTag(r, CLIENT_MESSAGE_TAGS, 'client message')]!;
  const msg = readClientBody(r, tag);
  r.expectEnd(`${tag} message`);
  return msg;
}
