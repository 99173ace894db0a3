/**
 * @module
 * The worker-thread clients of `bench/big-result.bench.ts`, each on its own event loop so the
 * server's stalls are measured and not caused by them:
 * - `ping`: `GET /v1/ping` every `intervalMs` until told to stop; posts each round trip (ms);
 * - `sql`: one `POST /sql`, body read to the end; posts the status, bytes and time;
 * - `subscribe`: one v2 `Subscribe` over a WebSocket; posts the time to its reply and its size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import {
  encodeV2ClientMessage,
  WS_PROTOCOL_V2_BSATN,
  type V2ClientMessage,
} from '../../runtime/protocol/index.js';

export type ClientTask =
  | { readonly role: 'ping'; readonly url: string; readonly intervalMs: number }
  | { readonly role: 'sql'; readonly url: string; readonly token: string; readonly sql: string }
  | {
      readonly role: 'subscribe';
      readonly wsUrl: string;
      readonly token: string;
      readonly sql: string;
    };

export interface ClientReport {
  readonly pings?: readonly number[];
  readonly status?: number;
  readonly bytes?: number;
  readonly ms?: number;
}

const task = workerData as ClientTask;
const port = parentPort!;
const done = (report: ClientReport): void => port.postMessage(report);

async function ping(url: string, intervalMs: number): Promise<void> {
  let stop = false;
  port.on('message', () => (stop = true));
  const pings: number[] = [];
  port.postMessage({ ready: true });
  while (!stop) {
    const t0 = performance.now();
    await (await fetch(`${url}/v1/ping`)).arrayBuffer();
    pings.push(performance.now() - t0);
    const left = intervalMs - (performance.now() - t0);
    if (left > 0) await new Promise(resolve => setTimeout(resolve, left));
  }
  done({ pings });
}

async function sql(url: string, token: string, text: string): Promise<void> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: text,
  });
  const body = await res.arrayBuffer();
  done({ status: res.status, bytes: body.byteLength, ms: performance.now() - t0 });
}

function subscribe(wsUrl: string, token: string, text: string): void {
  const socket = new WebSocket(wsUrl, [WS_PROTOCOL_V2_BSATN], {
    headers: { authorization: `Bearer ${token}` },
    maxPayload: 2 ** 31 - 1,
  });
  let t0 = 0;
  let greeted = false;
  socket.on('message', (data: Buffer) => {
    if (!greeted) {
      greeted = true;
      t0 = performance.now();
      const message: V2ClientMessage = {
        tag: 'Subscribe',
        requestId: 1,
        querySetId: 1,
        queryStrings: [text],
      };
      socket.send(encodeV2ClientMessage(message));
      return;
    }
    done({ status: 200, bytes: data.length, ms: performance.now() - t0 });
    socket.close();
  });
  socket.on('error', err => done({ status: 0, bytes: 0, ms: String(err).length }));
}

if (task.role === 'ping') await ping(task.url, task.intervalMs);
else if (task.role === 'sql') await sql(task.url, task.token, task.sql);
else subscribe(task.wsUrl, task.token, task.sql);
