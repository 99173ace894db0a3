/**
 * @module
 * Client messages of the v2 protocol (`v2.bsatn.spacetimedb`), both ways: raw BSATN, no
 * compression tag, the tag being the variant's index in `V2_CLIENT_MESSAGE_TAGS`. Field order is
 * the official SDK 2.x's (`client_api/types.ts`), which is the wire order.
 *
 * The decoder runs on the server over hostile input and holds every message to the same
 * `WS_LIMITS` as v1 (query strings per Subscribe, bytes per query string, bytes per reducer or
 * procedure name). `readV2ClientMessage` reads one message from a reader and leaves the rest, so
 * v3 can read several back to back; `decodeV2ClientMessage` wants exactly one and refuses
 * trailing bytes. Every failure is `PROTOCOL_DECODE` naming the field and the byte offset.
 */
import { BsatnReader } from '../bsatn-reader.js';
import { ScratchWriter, type BsatnWriter } from '../bsatn-writer.js';
import { WS_LIMITS } from '../ws-limits.js';
import { readByteArray, readFlags, readQueryStrings, readTag, readText } from '../wire-read.js';
import {
  UNSUBSCRIBE_FLAGS,
  V2_CLIENT_MESSAGE_TAGS,
  type V2ClientMessage,
} from './ws-v2-messages.js';

const scratch = new ScratchWriter(1024);

/** Appends one client message to `w`. */
export function writeV2ClientMessage(w: BsatnWriter, msg: V2ClientMessage): void {
  w.writeU8(V2_CLIENT_MESSAGE_TAGS.indexOf(msg.tag));
  w.writeU32(msg.requestId);
  switch (msg.tag) {
    case 'Subscribe':
      w.writeU32(msg.querySetId);
      w.writeU32(msg.queryStrings.length);
      for (const q of msg.queryStrings) w.writeString(q);
      return;
    case 'Unsubscribe':
      w.writeU32(msg.querySetId);
      return w.writeU8(UNSUBSCRIBE_FLAGS.indexOf(msg.flags));
    case 'OneOffQuery':
      return w.writeString(msg.queryString);
    case 'CallReducer':
      w.writeU8(msg.flags);
      w.writeString(msg.reducer);
      return w.writeBytes(msg.args);
    case 'CallProcedure':
      w.writeU8(msg.flags);
      w.writeString(msg.procedure);
      return w.writeBytes(msg.args);
  }
}

/** Encodes one client message (clients send raw BSATN). */
export function encodeV2ClientMessage(msg: V2ClientMessage): Uint8Array {
  writeV2ClientMessage(scratch.begin(), msg);
  return scratch.finish();
}

/** Reads one client message at the reader's position, leaving any bytes after it. */
export function readV2ClientMessage(r: BsatnReader): V2ClientMessage {
  const tag = V2_CLIENT_MESSAGE_TAGS[readTag(r, V2_CLIENT_MESSAGE_TAGS, 'client message')]!;
  const requestId = r.readU32();
  switch (tag) {
    case 'Subscribe': {
      const querySetId = r.readU32();
      const queryStrings = readQueryStrings(r, 'Subscribe.query_strings');
      return { tag, requestId, querySetId, queryStrings };
    }
    case 'Unsubscribe': {
      const querySetId = r.readU32();
      const flags = UNSUBSCRIBE_FLAGS[readTag(r, UNSUBSCRIBE_FLAGS, 'Unsubscribe.flags')]!;
      return { tag, requestId, querySetId, flags };
    }
    case 'OneOffQuery': {
      const queryString = readText(r, 'OneOffQuery.query_string', WS_LIMITS.queryStringBytes);
      return { tag, requestId, queryString };
    }
    case 'CallReducer': {
      const flags = readFlags(r, 0, 'CallReducer.flags');
      const reducer = readText(r, 'CallReducer.reducer', WS_LIMITS.nameBytes);
      return { tag, requestId, flags, reducer, args: readByteArray(r, 'CallReducer.args') };
    }
    case 'CallProcedure': {
      const flags = readFlags(r, 0, 'CallProcedure.flags');
      const procedure = readText(r, 'CallProcedure.procedure', WS_LIMITS.nameBytes);
      return { tag, requestId, flags, procedure, args: readByteArray(r, 'CallProcedure.args') };
    }
  }
}

/** Decodes exactly one client message; malformed input and trailing bytes are `PROTOCOL_DECODE`. */
export function decodeV2ClientMessage(bytes: Uint8Array): V2ClientMessage {
  const r = new BsatnReader(bytes);
  const msg = readV2ClientMessage(r);
  r.expectEnd(`${msg.tag} message`);
  return msg;
}
