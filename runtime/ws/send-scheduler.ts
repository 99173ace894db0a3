/**
 * @module
 * Sends are gathered and written once per turn of the event loop, each session's frames in one
 * corked write: when the server is busy, several transactions' updates to a client leave in one
 * system call instead of one each.
 */
export interface Flushable {
  flush(): void;
}

class SendScheduler {
  readonly #dirty = new Set<Flushable>();
  #scheduled = false;

  add(session: Flushable): void {
    this.#dirty.add(session);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const sessions = [...this.#dirty];
      this.#dirty.clear();
      for (const s of sessions) s.flush();
    });
  }
}

/** The one scheduler of the process. */
export const sendScheduler = new SendScheduler();
