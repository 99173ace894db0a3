/**
 * @module
 * Outcome waiters: the promise side of `DatabaseHandle.call`, built on the executor's one
 * stream of published batches. A waiter is registered under the call's id before the call is
 * queued and resolved when its batch is published: committed calls once the batch is durable
 * (STORAGE_FAILURE if it never gets there), failed calls too, so that no caller hears of
 * anything before what came before it is on disk.
 */
import { WasmbaseError } from '../protocol/index.js';
import type { AppliedCall, CallOutcome, PublishedBatch } from './engine-types.js';

function outcomeOf(applied: AppliedCall): CallOutcome {
  const { timestamp } = applied.call;
  const { durationMicros } = applied;
  if (applied.status === 'failed') {
    return { status: 'failed', error: applied.error, timestamp, durationMicros };
  }
  return {
    status: 'committed',
    get changes() {
      return applied.changes;
    },
    timestamp,
    durationMicros,
  };
}

function storageFailure(applied: AppliedCall): CallOutcome {
  const error = new WasmbaseError('STORAGE_FAILURE', 'the transaction could not be made durable');
  return { status: 'failed', error, timestamp: applied.call.timestamp, durationMicros: 0 };
}

export class OutcomeWaiters {
  readonly #waiting = new Map<number, (outcome: CallOutcome) => void>();

  /** Number of calls waited for. */
  get size(): number {
    return this.#waiting.size;
  }

  /** The outcome of call `id`, once published. Register before the call is queued. */
  wait(id: number): Promise<CallOutcome> {
    return new Promise(resolve => this.#waiting.set(id, resolve));
  }

  /** Forgets a waiter whose call was never queued. */
  cancel(id: number): void {
    this.#waiting.delete(id);
  }

  /** Resolves the waiters of `batch`'s calls. */
  published(batch: PublishedBatch): void {
    if (this.#waiting.size === 0) return;
    const mine: [AppliedCall, (outcome: CallOutcome) => void][] = [];
    for (const applied of batch.calls) {
      const resolve = this.#waiting.get(applied.call.id);
      if (resolve === undefined) continue;
      this.#waiting.delete(applied.call.id);
      mine.push([applied, resolve]);
    }
    if (mine.length === 0) return;
    batch.durable.then(
      () => {
        for (const [applied, resolve] of mine) resolve(outcomeOf(applied));
      },
      () => {
        for (const [applied, resolve] of mine) {
          resolve(applied.status === 'failed' ? outcomeOf(applied) : storageFailure(applied));
        }
      },
    );
  }
}
