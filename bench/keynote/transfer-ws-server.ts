/**
 * @module
 * The WebSocket front of the comparison servers (node-pg, lmdb-raw): decodes transfer requests
 * (see wire.ts), runs them through a handler, answers each with its request id as soon as it is
 * done (so clients can pipeline), and shuts down cleanly on SIGTERM / SIGINT. Run inside a child
 * process of the harness, never in the load generator's process.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { corkUntilNextTick } from './cork.js';
import { decodeRequest, encodeAnswer, REQUEST_BYTES } from './wire.js';

/** Runs one transfer; resolves with null when it committed (durably), else why it failed. */
export type TransferHandler = (from: number, to: number, amount: bigint) => Promise<string | null>;

/** Most unanswered calls one connection may have; beyond it the connection is closed (1008). */
export const MAX_INFLIGHT_PER_CONNECTION = 4096;

export interface TransferServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTransferServer(
  handler: TransferHandler,
  port = 0,
): Promise<TransferServer> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port,
    maxPayload: REQUEST_BYTES,
    perMessageDeflate: false,
    clientTracking: true,
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws: WebSocket) => {
    let inflight = 0;
    ws.on('message', (data, isBinary) => {
      if (!isBinary || !Buffer.isBuffer(data)) {
        ws.close(1003, 'binary transfer requests only');
        return;
      }
      let request;
      try {
        request = decodeRequest(data);
      } catch (err) {
        ws.close(1007, err instanceof Error ? err.message : 'bad request');
        return;
      }
      if (++inflight > MAX_INFLIGHT_PER_CONNECTION) {
        ws.close(1008, `more than ${MAX_INFLIGHT_PER_CONNECTION} calls in flight`);
        return;
      }
      const answer = (error: string | null) => {
        inflight--;
        if (ws.readyState !== ws.OPEN) return;
        corkUntilNextTick(ws);
        ws.send(encodeAnswer(request.requestId, error));
      };
      handler(request.from, request.to, request.amount).then(answer, (err: unknown) =>
        answer(`internal: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  });
  const address = wss.address();
  if (typeof address !== 'object' || address === null)
    throw new Error('the WebSocket server has no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>(resolve => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * The child-process side of the harness contract: prints `listening <port>` once serving, and on
 * SIGTERM / SIGINT closes the server, then `shutdown`, then exits 0 (1 if shutdown failed).
 */
export function announceAndServeUntilSignal(
  server: TransferServer,
  shutdown: () => Promise<void>,
): void {
  process.stdout.write(`listening ${server.port}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server
      .close()
      .then(shutdown)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(
            `shutdown failed: ${err instanceof Error ? err.stack : String(err)}\n`,
          );
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
