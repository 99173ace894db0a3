/**
 * @module
 * The live feeds of the server: one `DatabaseFeed` per database that has clients, created on
 * first use and ended when its database's module is replaced, the database is deleted, the
 * server stops, or its last client leaves.
 */
import type { DatabaseHandle, Engine } from '../host/index.js';
import type { Logger } from '../log/index.js';
import { DatabaseFeed } from './feed.js';
import type { FeedClient, FeedLimits } from './feed-types.js';

export class Feeds {
  readonly #limits: FeedLimits;
  readonly #logger: Logger;
  readonly #feeds = new Map<string, DatabaseFeed>();
  readonly #stop: (() => void)[];

  constructor(engine: Engine, limits: FeedLimits, logger: Logger) {
    this.#limits = limits;
    this.#logger = logger;
    this.#stop = [
      engine.onDelete(identity => this.#end(identity.toHex(), 'deleted')),
      engine.onUpdate(identity => this.#end(identity.toHex(), 'module-updated')),
    ];
  }

  /** The feed of `handle`'s database, with `client` joined to it. */
  join(handle: DatabaseHandle, client: FeedClient): DatabaseFeed {
    const key = handle.info.identity.toHex();
    let feed = this.#feeds.get(key);
    if (feed === undefined || feed.handle !== handle) {
      feed?.end('module-updated');
      feed = new DatabaseFeed(handle, this.#limits, this.#logger.child({ database: key }));
      this.#feeds.set(key, feed);
    }
    feed.join(client);
    return feed;
  }

  /** `client` leaves `feed`; a feed without clients ends. */
  leave(feed: DatabaseFeed, client: FeedClient): void {
    feed.leave(client);
    const key = feed.handle.info.identity.toHex();
    if (feed.clientCount === 0 && this.#feeds.get(key) === feed) {
      feed.end('shutdown');
      this.#feeds.delete(key);
    }
  }

  /** Ends every feed (server shutdown). */
  close(): void {
    for (const stop of this.#stop) stop();
    for (const key of [...this.#feeds.keys()]) this.#end(key, 'shutdown');
  }

  #end(key: string, reason: 'deleted' | 'module-updated' | 'shutdown'): void {
    this.#feeds.get(key)?.end(reason);
    this.#feeds.delete(key);
  }
}
