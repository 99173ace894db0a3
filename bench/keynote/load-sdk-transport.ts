/**
 * @module
 * The official SpacetimeDB SDK 2.x as a load-generator transport: one `DbConnection` of our bank
 * bindings per client, built the way SpacetimeDB's keynote-2 connector builds it (no
 * compression, confirmed reads), each call `conn.reducers.transfer({ from, to, amount })` and
 * its promise's settlement the answer. The SDK does everything else itself: the token exchange
 * (`POST /v1/identity/websocket-token`), negotiation, framing (with v3 it packs the calls of one
 * tick into one frame), decoding and its client cache.
 *
 * The one thing changed is which subprotocols it offers. It would offer v3 then v2; to measure
 * each, the thread's global `WebSocket` (which the SDK uses when present; Node 20 has none, so it
 * would load undici's) is undici's with the offer narrowed to the one protocol of the run. undici
 * fails a handshake whose answer names no offered protocol ("Server did not respond with sent
 * protocols"), so a run never measures another protocol than the one it reports.
 */
import { WebSocket as UndiciWebSocket } from 'undici';
import { WS_PROTOCOL_V2_BSATN, WS_PROTOCOL_V3_BSATN } from '../../runtime/protocol/index.js';
import { DbConnection } from './bank-bindings/index.js';
import { setGlobalLogLevel } from './bank-bindings/sdk2.js';
import type { SdkConnectionSpec } from './client-codec.js';
import type { TransportFactory } from './load-transport.js';

const SUBPROTOCOLS = { v2: WS_PROTOCOL_V2_BSATN, v3: WS_PROTOCOL_V3_BSATN } as const;

let offered: string | undefined;
/** Makes every WebSocket of this thread offer `subprotocol` only. */
function offerOnly(subprotocol: string): void {
  if (offered === subprotocol) return;
  if (offered !== undefined)
    throw new Error(`this load thread already offers ${offered}, not ${subprotocol}`);
  offered = subprotocol;
  class OneProtocolWebSocket extends UndiciWebSocket {
    constructor(url: string | URL) {
      super(url, [subprotocol]);
    }
  }
  globalThis.WebSocket = OneProtocolWebSocket;
}

const message = (err: unknown): string =>
  err instanceof Error ? err.message || err.name : String(err);

export function sdkTransport(spec: SdkConnectionSpec, connectTimeoutMs: number): TransportFactory {
  setGlobalLogLevel('warn');
  offerOnly(SUBPROTOCOLS[spec.protocol]);
  return events => {
    let isReady = false;
    let timer: NodeJS.Timeout | undefined;
    let connection: DbConnection | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(why));
      };
      timer = setTimeout(() => {
        fail(`not connected within ${connectTimeoutMs} ms`);
        connection?.disconnect();
      }, connectTimeoutMs);
      connection = DbConnection.builder()
        .withUri(spec.uri)
        .withDatabaseName(spec.database)
        .withToken(spec.token)
        .withCompression('none')
        .withConfirmedReads(true)
        .onConnect(() => {
          clearTimeout(timer);
          isReady = true;
          resolve();
        })
        .onConnectError((_ctx, err) => fail(`connect error: ${message(err)}`))
        .onDisconnect((_ctx, err) => {
          const why = err === undefined ? 'disconnected' : message(err);
          if (isReady) events.closed(`connection closed (${why})`);
          else fail(`closed before ready (${why})`);
        })
        .build();
    });
    const conn = connection!;
    return {
      ready,
      send(calls) {
        for (const { requestId, from, to, amount } of calls) {
          conn.reducers.transfer({ from, to, amount }).then(
            () => events.answers([{ requestId, error: null }]),
            (err: unknown) => events.answers([{ requestId, error: message(err) }]),
          );
        }
      },
      close: () => conn.disconnect(),
    };
  };
}
