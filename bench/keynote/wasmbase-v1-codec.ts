/**
 * @module
 * The wasmbase client side of the load generator for `v1.bsatn.spacetimedb`, through the
 * project's own codec. A call is one `CallReducer('transfer', [from u32, to u32, amount i64])`
 * frame; its answer is the `TransactionUpdate` carrying the call's request id, `Committed` or
 * `Failed`. The server greets each connection with `IdentityToken` first.
 */
import {
  decodeServerMessageBsatn,
  encodeClientMessageBsatn,
  WS_PROTOCOL_V1_BSATN,
} from '../../runtime/protocol/index.js';
import { unframeServerPayload } from '../../runtime/ws/frame-compression.js';
import type { ClientCodec, ServerMessage } from './client-codec.js';

/** BSATN of the transfer arguments: u32 from · u32 to · i64 amount, little-endian. */
export function transferArgs(from: number, to: number, amount: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, from, true);
  view.setUint32(4, to, true);
  view.setBigInt64(8, amount, true);
  return bytes;
}

function decodeV1(frame: Uint8Array): ServerMessage {
  const message = decodeServerMessageBsatn(unframeServerPayload(frame));
  switch (message.tag) {
    case 'IdentityToken':
      return { kind: 'greeting' };
    case 'TransactionUpdate': {
      const status = message.status;
      const error =
        status.tag === 'Committed'
          ? null
          : status.tag === 'Failed'
            ? status.message || 'failed'
            : 'out of energy';
      return { kind: 'answer', requestId: message.reducerCall.requestId, error };
    }
    default:
      return { kind: 'other' };
  }
}

export const wasmbaseV1Codec: ClientCodec = {
  subprotocols: [WS_PROTOCOL_V1_BSATN],
  greets: true,
  encodeCalls: calls =>
    calls.map(c =>
      encodeClientMessageBsatn({
        tag: 'CallReducer',
        reducer: 'transfer',
        args: { format: 'bsatn', bytes: transferArgs(c.from, c.to, c.amount) },
        requestId: c.requestId,
        flags: 0,
      }),
    ),
  decode: frame => [decodeV1(frame)],
};
