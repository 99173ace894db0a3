/**
 * @module
 * What the tests of the WebSocket handlers below the route (`test/ws/v1`, `test/ws/v2`) share: a
 * fake socket that records every frame and close, a real database handle (the ws fixture on a
 * test engine) whose committed batches become durable only when the test releases them, a
 * recording logger, and the handler dependencies over a real `Feeds`.
 *
 * `HandlerHarness.open` builds a handler (the suite's own, through `make`) for a new identity on
 * a fake socket, opens its connection (`client_connected` runs), starts it and releases the
 * greeting; what the greeting says is the suite's to check. `callAndPublish` sends and waits
 * until the batch is published but not durable; `settle` makes it durable and lets the sends
 * run. Every wait is bounded (see `wait.ts`).
 */
import { Connection, Feeds } from '../../runtime/api/index.js';
import type { Engine, PublishedBatch } from '../../runtime/host/index.js';
import { Identity, type AlgebraicValue } from '../../runtime/protocol/index.js';
import type { ConnectionHandler, HandlerDeps, HandlerInit } from '../../runtime/ws/handler.js';
import { readParams, type WsProtocol } from '../../runtime/ws/negotiate.js';
import type { WsSocket } from '../../runtime/ws/session.js';
import { PassThroughHandle } from './pass-through-handle.js';
import { RecordingLogger } from './recording-logger.js';
import { flushed, until } from './wait.js';
import { playerNames, reducerArgs, wsFixtureDatabase } from './ws-fixture-db.js';

export class FakeSocket implements WsSocket {
  readonly frames: { data: Uint8Array | string; binary: boolean }[] = [];
  readonly ended: { code: number; reason: string }[] = [];
  send(data: Uint8Array | string, binary: boolean): number {
    this.frames.push({ data, binary });
    return 1;
  }
  getBufferedAmount(): number {
    return 0;
  }
  end(code: number, reason: string): void {
    this.ended.push({ code, reason });
  }
  cork(cb: () => void): this {
    cb();
    return this;
  }
}

/** The real handle; batches that committed become durable once the test releases them. */
export class GatedHandle extends PassThroughHandle {
  /** Every batch published, as the engine published it. */
  readonly published: PublishedBatch[] = [];
  readonly #gated = new WeakMap<PublishedBatch, Promise<void>>();
  #releases: (() => void)[] = [];
  override onPublished(listener: (batch: PublishedBatch) => void): () => void {
    return this.inner.onPublished(batch => listener({ ...batch, durable: this.#gate(batch) }));
  }
  /** Makes every batch published so far durable (once the disk agrees). */
  release(): void {
    for (const r of this.#releases.splice(0)) r();
  }
  /** Whether a call of `reducer` by `who` was published. */
  hasPublished(who: Identity, reducer: string): boolean {
    return this.published.some(b =>
      b.calls.some(c => c.call.reducer === reducer && c.call.sender.equals(who)),
    );
  }
  #gate(batch: PublishedBatch): Promise<void> {
    let gated = this.#gated.get(batch);
    if (gated !== undefined) return gated;
    if (!batch.calls.some(c => c.status === 'committed')) gated = batch.durable;
    else {
      const released = new Promise<void>(resolve => this.#releases.push(resolve));
      gated = batch.durable.then(() => released);
      gated.catch(() => {});
    }
    this.published.push(batch);
    this.#gated.set(batch, gated);
    return gated;
  }
}

/** A handler of the suite's protocol on its fake socket, and who it was opened as. */
export interface OpenedHandler<H extends ConnectionHandler> {
  readonly handler: H;
  readonly socket: FakeSocket;
  readonly init: HandlerInit;
}

export class HandlerHarness {
  readonly logger = new RecordingLogger();
  readonly deps: HandlerDeps;
  /** The sorted names of encoded `player` rows. */
  readonly names: (rows: readonly Uint8Array[]) => string[];

  private constructor(
    readonly gated: GatedHandle,
    engine: Engine,
  ) {
    this.deps = {
      feeds: new Feeds(engine, { rowLimit: 50, maxSubscriptions: 64 }, this.logger),
      limits: { maxBufferedBytes: 1 << 30, maxInflightCalls: 64, maxQueuedMessages: 1000 },
      rowLimit: 50,
      queryLimit: { maxBytes: 1 << 30, flag: 'ws-max-query-bytes', what: 'the result' },
      subscribeLimit: { maxBytes: 1 << 30, flag: 'ws-max-subscribe-bytes', what: 'the rows' },
      logger: this.logger,
    };
    this.names = playerNames(gated);
  }

  /** The ws fixture published as `name` on a new test engine, behind a `GatedHandle`. */
  static async create(name: string): Promise<HandlerHarness> {
    const { engine, handle } = await wsFixtureDatabase(name);
    return new HandlerHarness(new GatedHandle(handle), engine);
  }

  /** The BSATN arguments of `reducer`. */
  args(reducer: string, values: AlgebraicValue[]): Uint8Array {
    return reducerArgs(this.gated, reducer, values);
  }

  /**
   * A started handler for a new identity (token `token-<hex>`), negotiated as `protocol` with
   * the URL `query`; its greeting is released and sent, not yet read.
   */
  async open<H extends ConnectionHandler>(
    protocol: WsProtocol,
    query: string,
    make: (socket: FakeSocket, init: HandlerInit) => H,
  ): Promise<OpenedHandler<H>> {
    const params = readParams(new URLSearchParams(query), protocol);
    const identity = Identity.random();
    const init = { identity, isOwner: false, token: `token-${identity.toHex()}`, params };
    const socket = new FakeSocket();
    const handler = make(socket, init);
    await this.start(handler, init);
    this.gated.release();
    await flushed();
    return { handler, socket, init };
  }

  /** Opens `init`'s connection (`client_connected` runs) and starts `handler` on it. */
  async start(handler: ConnectionHandler, init: HandlerInit): Promise<void> {
    const { gated, logger } = this;
    const connection = await Connection.open(
      gated,
      init.identity,
      init.params.connectionId,
      logger,
    );
    handler.start(connection, this.deps.feeds.join(gated, handler));
  }

  /** Runs `send` and waits until `n` more batches are published (none durable yet). */
  async callAndPublish(send: () => void, n = 1): Promise<void> {
    const before = this.gated.published.length;
    send();
    await until(() => this.gated.published.length >= before + n, 'the publish');
    await flushed();
  }

  /** Makes what was published durable and lets the sends run. */
  async settle(): Promise<void> {
    this.gated.release();
    await flushed();
  }
}
