/**
 * @module
 * The harness's own WebSocket client (the `ws` package) as a load-generator transport: one
 * connection speaking a codec (client-codec.ts). A burst of calls leaves as the codec's frames
 * in one corked write (cork.ts); every frame from the server is decoded into its messages, and
 * the answers among them are handed on together. A text frame or an undecodable one counts as
 * a problem and drops the connection.
 */
import WebSocket from 'ws';
import type { ClientCodec, WsConnectionSpec } from './client-codec.js';
import { corkUntilNextTick } from './cork.js';
import type { Answer, TransportFactory } from './load-transport.js';

/** Largest server frame a client accepts (wasmbase messages to a caller are small). */
const MAX_SERVER_FRAME_BYTES = 1 << 20;

export function wsTransport(
  spec: WsConnectionSpec,
  codec: ClientCodec,
  connectTimeoutMs: number,
): TransportFactory {
  return events => {
    const ws = new WebSocket(spec.url, [...codec.subprotocols], {
      headers: { ...spec.headers },
      perMessageDeflate: false,
      maxPayload: MAX_SERVER_FRAME_BYTES,
      handshakeTimeout: connectTimeoutMs,
    });
    const drop = (why: string) => {
      events.problem(why);
      ws.terminate();
    };
    const ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      let greeted = !codec.greets;
      const becomeReady = () => {
        isReady = true;
        resolve();
      };
      ws.once('open', () => {
        if (greeted) becomeReady();
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return drop('the server sent a text message');
        let messages;
        try {
          messages = codec.decode(data);
        } catch (err) {
          return drop(
            `undecodable server message: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        const answers: Answer[] = [];
        for (const m of messages) {
          if (m.kind === 'answer') answers.push({ requestId: m.requestId, error: m.error });
          else if (m.kind === 'greeting' && !greeted) {
            greeted = true;
            becomeReady();
          }
        }
        if (answers.length > 0) events.answers(answers);
      });
      // 'error' is always followed by 'close', which does the bookkeeping.
      ws.on('error', () => undefined);
      ws.once('close', (code, reason) => {
        const text = `${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`;
        if (!isReady) reject(new Error(`closed before ready (${text})`));
        else events.closed(`connection closed by the server (${text})`);
      });
    });
    return {
      ready,
      send(calls) {
        corkUntilNextTick(ws);
        for (const frame of codec.encodeCalls(calls)) ws.send(frame);
      },
      close: () => ws.close(1000),
    };
  };
}
