/**
 * @module
 * A batch's durability as a value that can be asked synchronously: senders that hold a message
 * until its transaction is on disk check `settled` first and only wait when they must, so a
 * message whose transaction is already durable leaves without a promise turn.
 */
export class DurableMark {
  /** A mark that is already durable (replies to a quiet database, failed-only batches). */
  static readonly DONE = new DurableMark(Promise.resolve(), true);

  #state: 'pending' | 'durable' | 'failed';
  readonly promise: Promise<void>;

  constructor(durable: Promise<void>, settled = false) {
    this.#state = settled ? 'durable' : 'pending';
    this.promise = durable.then(
      () => {
        this.#state = 'durable';
      },
      (err: unknown) => {
        this.#state = 'failed';
        throw err;
      },
    );
    this.promise.catch(() => {});
  }

  /** True once the transaction is on disk. */
  get durable(): boolean {
    return this.#state === 'durable';
  }

  /** True once the transaction is known never to reach the disk. */
  get failed(): boolean {
    return this.#state === 'failed';
  }
}
