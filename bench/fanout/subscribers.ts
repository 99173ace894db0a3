/**
 * @module
 * Worker thread of the fan-out benchmark: opens `count` subscriber connections, subscribes each
 * to the query, says 'ready', then records for every TransactionUpdate the time from the
 * transaction's timestamp to its receipt, until asked for a report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import {
  decodeServerMessageBsatn,
  encodeClientMessageBsatn,
  WS_PROTOCOL_V1_BSATN,
} from '../../runtime/protocol/index.js';
import { unframeServerPayload } from '../../runtime/ws/frame-compression.js';

export interface SubscriberTask {
  readonly url: string;
  readonly token: string;
  readonly count: number;
  readonly query: string;
}

export interface SubscriberReport {
  readonly messages: number;
  /** Wall-clock milliseconds of the last update received. */
  readonly lastAt: number;
  readonly closed: number;
  readonly latenciesMicros: Float64Array;
}

const task = workerData as SubscriberTask;
let messages = 0;
let closed = 0;
let lastAt = 0;
const latencies: number[] = [];

function open(): Promise<WebSocket> {
  const ws = new WebSocket(task.url, [WS_PROTOCOL_V1_BSATN], {
    headers: { authorization: `Bearer ${task.token}` },
  });
  return new Promise((resolve, reject) => {
    let phase = 0;
    ws.on('error', reject);
    ws.on('close', () => closed++);
    ws.on('message', (data: Buffer) => {
      if (phase === 0) {
        phase = 1;
        ws.send(
          encodeClientMessageBsatn({
            tag: 'SubscribeSingle',
            query: task.query,
            requestId: 1,
            queryId: 1,
          }),
        );
        return;
      }
      if (phase === 1) {
        phase = 2;
        resolve(ws);
        return;
      }
      const m = decodeServerMessageBsatn(
        unframeServerPayload(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
      );
      if (m.tag === 'TransactionUpdate') {
        messages++;
        lastAt = Date.now();
        latencies.push(lastAt * 1000 - Number(m.timestamp));
      }
    });
  });
}

const sockets: WebSocket[] = [];
for (let i = 0; i < task.count; i += 50) {
  sockets.push(
    ...(await Promise.all(Array.from({ length: Math.min(50, task.count - i) }, () => open()))),
  );
}
parentPort!.postMessage('ready');
parentPort!.on('message', () => {
  const report: SubscriberReport = {
    messages,
    lastAt,
    closed,
    latenciesMicros: Float64Array.from(latencies),
  };
  parentPort!.postMessage(report);
});
