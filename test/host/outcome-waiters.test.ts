/**
 * `OutcomeWaiters`, the promise side of `DatabaseHandle.call`: a waiter registered under a call
 * id is resolved once, when a published batch carries that id — committed calls and failed ones
 * alike only after the batch's `durable` settles (so nobody hears before what came before is on
 * disk), committed calls as STORAGE_FAILURE when it rejects. Batches without waited-for ids are
 * ignored; `cancel` forgets a waiter.
 */
import { describe, expect, it } from 'vitest';
import type {
  AppliedCall,
  CallOutcome,
  ExecutedCall,
  PublishedBatch,
} from '../../runtime/host/index.js';
import { OutcomeWaiters } from '../../runtime/host/outcome-waiters.js';
import { Identity, WasmbaseError } from '../../runtime/protocol/index.js';
import type { CallChanges } from '../../runtime/store/index.js';

const call = (id: number): ExecutedCall => ({
  id,
  reducer: `r${id}`,
  reducerId: id,
  args: new Uint8Array(0),
  sender: Identity.ZERO,
  connectionId: undefined,
  timestamp: 1_000n + BigInt(id),
});

const changesOf = (id: number): CallChanges => [
  { tableId: id, inserts: [Uint8Array.of(id)], deletes: [] },
];

const committed = (id: number): AppliedCall => ({
  status: 'committed',
  call: call(id),
  changes: changesOf(id),
  durationMicros: 10 * id,
  logs: [],
});

const failed = (id: number, code: 'REDUCER_FAILED' | 'INTERNAL' = 'REDUCER_FAILED') => {
  const error = new WasmbaseError(code, `call ${id} failed`);
  const applied: AppliedCall = {
    status: 'failed',
    call: call(id),
    error,
    durationMicros: 3,
    logs: [],
  };
  return applied;
};

function gate(): { durable: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const durable = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { durable, resolve, reject };
}

/** Records each outcome as it resolves. */
function watch(p: Promise<CallOutcome>, into: Map<number, CallOutcome>, id: number): void {
  void p.then(o => into.set(id, o));
}

const turn = (): Promise<void> => new Promise(resolve => setImmediate(resolve));

describe('OutcomeWaiters', () => {
  it('resolves committed and failed calls only once their batch is durable', async () => {
    const waiters = new OutcomeWaiters();
    const seen = new Map<number, CallOutcome>();
    watch(waiters.wait(1), seen, 1);
    watch(waiters.wait(2), seen, 2);
    expect(waiters.size).toBe(2);
    const g = gate();
    waiters.published({ calls: [committed(1), failed(2)], durable: g.durable });
    // Handed over at once: a second publish of the same ids finds no waiter.
    expect(waiters.size).toBe(0);
    await turn();
    expect(seen.size).toBe(0);
    g.resolve();
    await turn();
    expect(seen.get(1)).toEqual({
      status: 'committed',
      changes: changesOf(1),
      timestamp: 1_001n,
      durationMicros: 10,
    });
    const two = seen.get(2);
    expect(two?.status === 'failed' && [two.error.code, two.error.message]).toEqual([
      'REDUCER_FAILED',
      'call 2 failed',
    ]);
    expect(two).toMatchObject({ timestamp: 1_002n, durationMicros: 3 });
  });

  it('turns committed calls into STORAGE_FAILURE when the disk is never reached', async () => {
    const waiters = new OutcomeWaiters();
    const seen = new Map<number, CallOutcome>();
    watch(waiters.wait(5), seen, 5);
    watch(waiters.wait(6), seen, 6);
    const g = gate();
    waiters.published({ calls: [committed(5), failed(6, 'INTERNAL')], durable: g.durable });
    g.reject(new Error('disk full'));
    await turn();
    const five = seen.get(5);
    expect(five?.status).toBe('failed');
    if (five?.status !== 'failed') return;
    expect(five.error).toBeInstanceOf(WasmbaseError);
    expect(five.error.code).toBe('STORAGE_FAILURE');
    expect(five.error.message).not.toMatch(/disk full/);
    expect([five.timestamp, five.durationMicros]).toEqual([1_005n, 0]);
    // A call that had failed anyway keeps its own error.
    const six = seen.get(6);
    expect(six?.status === 'failed' && six.error.code).toBe('INTERNAL');
  });

  it('ignores calls nobody waits for and resolves each waiter once', async () => {
    const waiters = new OutcomeWaiters();
    const seen = new Map<number, CallOutcome>();
    let resolutions = 0;
    const p = waiters.wait(7);
    void p.then(() => resolutions++);
    watch(p, seen, 7);
    waiters.published({ calls: [committed(8), committed(9)], durable: Promise.resolve() });
    await turn();
    expect([seen.size, waiters.size]).toEqual([0, 1]);
    waiters.published({ calls: [committed(8), failed(7)], durable: Promise.resolve() });
    waiters.published({ calls: [committed(7)], durable: Promise.resolve() });
    await turn();
    expect(resolutions).toBe(1);
    expect(seen.get(7)?.status).toBe('failed');
    expect(waiters.size).toBe(0);
  });

  it('forgets a cancelled waiter', async () => {
    const waiters = new OutcomeWaiters();
    let resolved = false;
    void waiters.wait(11).then(() => (resolved = true));
    waiters.cancel(11);
    expect(waiters.size).toBe(0);
    const batch: PublishedBatch = { calls: [committed(11)], durable: Promise.resolve() };
    waiters.published(batch);
    await turn();
    expect(resolved).toBe(false);
  });

  it("reads a committed call's changes through (decoded on first use)", async () => {
    const waiters = new OutcomeWaiters();
    let reads = 0;
    const base = committed(12);
    const lazy: AppliedCall = {
      ...base,
      get changes(): CallChanges {
        reads++;
        return changesOf(12);
      },
    };
    const outcome = waiters.wait(12);
    waiters.published({ calls: [lazy], durable: Promise.resolve() });
    const o = await outcome;
    expect(reads).toBe(0);
    expect(o.status === 'committed' && o.changes).toEqual(changesOf(12));
    expect(reads).toBe(1);
  });
});
