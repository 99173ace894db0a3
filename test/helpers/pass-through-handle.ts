/**
 * @module
 * A `DatabaseHandle` that forwards everything to a real one, for tests that need to bend one part
 * of it: `failReads` makes every read throw a storage-looking error (message with a path, as LMDB
 * would give), so a test can check that such errors are logged and never reach a client.
 * Subclasses override what else they bend (see `GatedHandle` in `ws-handler-harness.ts`).
 */
import type {
  CallOutcome,
  CallRequest,
  DatabaseHandle,
  ExecutedCall,
  PublishedBatch,
} from '../../runtime/host/index.js';
import type { ReadTx } from '../../runtime/store/index.js';

/** The message of the error a failing read throws (it names a file, as storage errors do). */
export const READ_FAILURE = 'MDB_CORRUPTED: /var/lib/wasmbase/databases/x';

export class PassThroughHandle implements DatabaseHandle {
  /** While true, every `read` throws `READ_FAILURE`. */
  failReads = false;
  constructor(readonly inner: DatabaseHandle) {}
  get info() {
    return this.inner.info;
  }
  get schema() {
    return this.inner.schema;
  }
  submit(request: CallRequest): ExecutedCall {
    return this.inner.submit(request);
  }
  call(request: CallRequest): Promise<CallOutcome> {
    return this.inner.call(request);
  }
  read<T>(fn: (tx: ReadTx) => T): T {
    if (this.failReads) throw new Error(READ_FAILURE);
    return this.inner.read(fn);
  }
  readAsync<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.failReads) return Promise.reject(new Error(READ_FAILURE));
    return this.inner.readAsync(fn);
  }
  transact: DatabaseHandle['transact'] = (label, sender, fn) =>
    this.inner.transact(label, sender, fn);
  onPublished(listener: (batch: PublishedBatch) => void): () => void {
    return this.inner.onPublished(listener);
  }
}
