/**
 * One load-generator thread: opens its share of the client connections, and once told to start
 * keeps up to `inflight` transfer calls outstanding on each, reading the shared pairs from the
 * client's own offset. It counts completions per second, records the latency of calls completed
 * in the timed window, stops calling at the end of the window, waits (bounded) for the calls
 * still in flight, and sends its totals back. Runs in a worker thread of the harness, never in a
 * server's process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import type { ClientCodec } from './client-codec.js';
import { simpleCodec } from './client-codec.js';
import { corkUntilNextTick } from './cork.js';
import { LatencyHistogram } from './histogram.js';
import type { FromThread, LoadThreadConfig, ThreadResult, ToThread } from './load-types.js';
import { clientOffset } from './zipf.js';

/** Largest server message a client accepts (wasmbase messages to a caller are small). */
const MAX_SERVER_MESSAGE_BYTES = 1 << 20;
const PROGRESS_EVERY_MS = 250;
/** Attempts per client connection before the run fails. */
const CONNECT_ATTEMPTS = 5;

const config = workerData as LoadThreadConfig;
const port = parentPort!;
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const now = () => performance.timeOrigin + performance.now();

async function loadCodec(name: LoadThreadConfig['connection']['codec']): Promise<ClientCodec> {
  if (name === 'simple') return simpleCodec;
  return (await import('./wasmbase-codec.js')).wasmbaseCodec;
}

interface Outstanding {
  readonly sentAt: number;
  readonly pair: number;
}

const pairCount = config.pairs.length / 2;
const histogram = new LatencyHistogram();
const totalSeconds = Math.ceil((config.warmupMs + config.windowMs) / 1000) + 1;
const okPerSecond = new Float64Array(totalSeconds);
const deltas = new Int32Array(config.accounts);
const errors: Record<string, number> = {};
let ok = 0;
let failed = 0;
let okInWindow = 0;
let failedInWindow = 0;
let unanswered = 0;
let t0 = 0;
let windowStart = 0;
let windowEnd = 0;
let issuing = false;

const countError = (message: string) => {
  errors[message] = (errors[message] ?? 0) + 1;
};

class Client {
  readonly #codec: ClientCodec;
  #ws!: WebSocket;
  readonly outstanding = new Map<number, Outstanding>();
  #cursor: number;
  #nextId = 1;
  #closed = false;
  readonly ready: Promise<void>;

  constructor(index: number, codec: ClientCodec) {
    this.#codec = codec;
    this.#cursor = clientOffset(index, config.totalClients, pairCount);
    this.ready = this.#connectWithRetries();
  }

  /**
   * Connects, retrying a connection that fails before the server's greeting (as any client
   * would); each failed attempt is counted in `errors`, so the report shows it.
   */
  async #connectWithRetries(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#connect();
        return;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (attempt >= CONNECT_ATTEMPTS)
          throw new Error(`${why} (after ${attempt} attempts)`, { cause: err });
        countError(`connection attempt failed, retried: ${why}`);
        await new Promise(r => setTimeout(r, 100 * attempt));
      }
    }
  }

  #connect(): Promise<void> {
    const codec = this.#codec;
    const ws = new WebSocket(config.connection.url, [...codec.subprotocols], {
      headers: { ...config.connection.headers },
      perMessageDeflate: false,
      maxPayload: MAX_SERVER_MESSAGE_BYTES,
      handshakeTimeout: config.connectTimeoutMs,
    });
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let greeted = !codec.greets;
      const becomeReady = () => {
        ready = true;
        resolve();
      };
      ws.once('open', () => {
        if (greeted) becomeReady();
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          this.#fail('the server sent a text message');
          return;
        }
        let message;
        try {
          message = codec.decode(data);
        } catch (err) {
          this.#fail(
            `undecodable server message: ${err instanceof Error ? err.message : String(err)}`,
          );
          return;
        }
        if (message.kind === 'greeting') {
          if (!greeted) {
            greeted = true;
            becomeReady();
          }
        } else if (message.kind === 'answer') {
          this.#answered(message.requestId, message.error);
        }
      });
      // 'error' is always followed by 'close', which does the bookkeeping.
      ws.on('error', () => undefined);
      ws.once('close', (code, reason) => {
        const text = `${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`;
        if (!ready) reject(new Error(`closed before ready (${text})`));
        else this.#lost(`connection closed by the server (${text})`);
      });
    });
  }

  /** Sends calls until `inflight` are outstanding (or calling has stopped). */
  pump(): void {
    if (this.#closed || !issuing || this.outstanding.size >= config.inflight) return;
    corkUntilNextTick(this.#ws);
    while (issuing && this.outstanding.size < config.inflight) {
      const pair = this.#cursor;
      this.#cursor = (this.#cursor + 1) % pairCount;
      const id = this.#nextId;
      this.#nextId = this.#nextId === 0xffffffff ? 1 : this.#nextId + 1;
      const from = config.pairs[pair * 2]!;
      const to = config.pairs[pair * 2 + 1]!;
      this.outstanding.set(id, { sentAt: now(), pair });
      this.#ws.send(this.#codec.encodeTransfer(id, from, to, config.amount));
    }
  }

  #answered(requestId: number, error: string | null): void {
    const call = this.outstanding.get(requestId);
    if (call === undefined) return; // an answer after its timeout: already counted as unanswered
    this.outstanding.delete(requestId);
    const done = now();
    const inWindow = done >= windowStart && done < windowEnd;
    if (error === null) {
      ok++;
      const second = Math.floor((done - t0) / 1000);
      if (second >= 0 && second < okPerSecond.length) okPerSecond[second]! += 1;
      deltas[config.pairs[call.pair * 2]!]! -= Number(config.amount);
      deltas[config.pairs[call.pair * 2 + 1]!]! += Number(config.amount);
      if (inWindow) {
        okInWindow++;
        histogram.record((done - call.sentAt) * 1000);
      }
    } else {
      failed++;
      if (inWindow) failedInWindow++;
      countError(error);
    }
    this.pump();
    if (!issuing && this.outstanding.size === 0) settleCheck();
  }

  /** Drops calls outstanding longer than the op timeout. */
  expire(at: number): void {
    for (const [id, call] of this.outstanding) {
      if (at - call.sentAt < config.opTimeoutMs) break; // insertion order: the rest are younger
      this.outstanding.delete(id);
      unanswered++;
      countError(`no answer within ${config.opTimeoutMs} ms`);
    }
  }

  #lost(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.outstanding.size > 0 || issuing) countError(why);
    unanswered += this.outstanding.size;
    this.outstanding.clear();
    settleCheck();
  }

  #fail(why: string): void {
    countError(why);
    this.#ws.terminate();
  }

  close(): void {
    this.#closed = true;
    this.#ws.close(1000);
  }
}

let clients: Client[] = [];
let settle: (() => void) | undefined;
function settleCheck(): void {
  if (settle !== undefined && !issuing && clients.every(c => c.outstanding.size === 0)) settle();
}

const totals = () => ({
  ok,
  failed,
  inflight: clients.reduce((n, c) => n + c.outstanding.size, 0),
});

async function main(): Promise<void> {
  const codec = await loadCodec(config.connection.codec);
  clients = config.clientIndexes.map(i => new Client(i, codec));
  await Promise.all(clients.map(c => c.ready));
  post({ type: 'ready' });
  const start = await new Promise<ToThread>(resolve => port.once('message', resolve));
  t0 = start.t0;
  windowStart = t0 + config.warmupMs;
  windowEnd = windowStart + config.windowMs;
  // Start together (t0 is a moment shortly in the future agreed by every thread).
  await new Promise(r => setTimeout(r, Math.max(0, t0 - now())));
  issuing = true;
  for (const c of clients) c.pump();
  const progress = setInterval(() => post({ type: 'progress', ...totals() }), PROGRESS_EVERY_MS);
  const sweeper = setInterval(() => {
    const at = now();
    for (const c of clients) c.expire(at);
    settleCheck();
  }, 250);
  await new Promise(r => setTimeout(r, Math.max(0, windowEnd - now())));
  issuing = false;
  // Drain: every outstanding call is answered or times out (the sweeper bounds this wait).
  await new Promise<void>(resolve => {
    settle = resolve;
    settleCheck();
  });
  clearInterval(progress);
  clearInterval(sweeper);
  for (const c of clients) c.close();
  const result: ThreadResult = {
    ...totals(),
    okInWindow,
    failedInWindow,
    histogram: histogram.counts,
    okPerSecond,
    deltas,
    unanswered,
    errors,
  };
  post({ type: 'done', result }, [
    histogram.counts.buffer as ArrayBuffer,
    okPerSecond.buffer as ArrayBuffer,
    deltas.buffer as ArrayBuffer,
  ]);
}

main().catch((err: unknown) => {
  post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
});
