/**
 * @module
 * One load-generator client: a connection (a transport) and its pipeline. Once calling starts it
 * keeps up to `inflight` transfer calls outstanding, reading the shared pairs from its own
 * offset, and refills the pipeline once per arrival of answers (so with v3 one refill is one
 * frame). Answers are matched by request id; calls outstanding longer than the op timeout, or
 * lost with their connection, count as unanswered. A connection that fails before it is ready is
 * retried, each failed attempt counted in the run's errors so it never goes unnoticed.
 */
import type { TransferCall } from './client-codec.js';
import type { LoadThreadConfig } from './load-types.js';
import type { Tally } from './load-tally.js';
import type { Answer, CallTransport, TransportFactory } from './load-transport.js';
import { clientOffset } from './zipf.js';

/** Attempts per client connection before the run fails. */
const CONNECT_ATTEMPTS = 5;

const now = () => performance.timeOrigin + performance.now();

interface Outstanding {
  readonly sentAt: number;
  readonly pair: number;
}

/** What the thread shares with its clients. */
export interface LoadContext {
  readonly config: LoadThreadConfig;
  readonly tally: Tally;
  readonly open: TransportFactory;
  /** True while calls may be issued (between the start and the end of the window). */
  issuing(): boolean;
  /** A client's last outstanding call settled after calling stopped. */
  settled(): void;
}

export class LoadClient {
  readonly #ctx: LoadContext;
  readonly #pairCount: number;
  readonly outstanding = new Map<number, Outstanding>();
  #transport: CallTransport | undefined;
  #cursor: number;
  #nextId = 1;
  #closed = false;
  readonly ready: Promise<void>;

  constructor(index: number, ctx: LoadContext) {
    this.#ctx = ctx;
    this.#pairCount = ctx.config.pairs.length / 2;
    this.#cursor = clientOffset(index, ctx.config.totalClients, this.#pairCount);
    this.ready = this.#connectWithRetries();
  }

  async #connectWithRetries(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const transport = this.#ctx.open({
        answers: answers => this.#answered(answers),
        closed: why => this.#lost(why),
        problem: why => this.#ctx.tally.countError(why),
      });
      try {
        await transport.ready;
        this.#transport = transport;
        return;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (attempt >= CONNECT_ATTEMPTS)
          throw new Error(`${why} (after ${attempt} attempts)`, { cause: err });
        this.#ctx.tally.countError(`connection attempt failed, retried: ${why}`);
        await new Promise(r => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** Sends calls until `inflight` are outstanding (or calling has stopped), as one burst. */
  pump(): void {
    const { config, issuing } = this.#ctx;
    if (this.#closed || this.#transport === undefined || !issuing()) return;
    const calls: TransferCall[] = [];
    while (this.outstanding.size < config.inflight) {
      const pair = this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#pairCount;
      const requestId = this.#nextId;
      this.#nextId = this.#nextId === 0xffffffff ? 1 : this.#nextId + 1;
      this.outstanding.set(requestId, { sentAt: now(), pair });
      const from = config.pairs[pair * 2]!;
      const to = config.pairs[pair * 2 + 1]!;
      calls.push({ requestId, from, to, amount: config.amount });
    }
    if (calls.length > 0) this.#transport.send(calls);
  }

  #answered(answers: readonly Answer[]): void {
    const done = now();
    for (const { requestId, error } of answers) {
      const call = this.outstanding.get(requestId);
      if (call === undefined) continue; // after its timeout: already counted as unanswered
      this.outstanding.delete(requestId);
      this.#ctx.tally.answered(call.pair, call.sentAt, done, error);
    }
    this.pump();
    if (!this.#ctx.issuing() && this.outstanding.size === 0) this.#ctx.settled();
  }

  /** Drops calls outstanding longer than the op timeout. */
  expire(at: number): void {
    const { config, tally } = this.#ctx;
    for (const [id, call] of this.outstanding) {
      if (at - call.sentAt < config.opTimeoutMs) break; // insertion order: the rest are younger
      this.outstanding.delete(id);
      tally.unanswered(1);
      tally.countError(`no answer within ${config.opTimeoutMs} ms`);
    }
  }

  #lost(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.outstanding.size > 0 || this.#ctx.issuing()) this.#ctx.tally.countError(why);
    this.#ctx.tally.unanswered(this.outstanding.size);
    this.outstanding.clear();
    this.#ctx.settled();
  }

  close(): void {
    this.#closed = true;
    this.#transport?.close();
  }
}
