/**
 * `DurableMark`: a batch's durability asked synchronously. Pending until its promise settles,
 * then `durable` or `failed` for good; `DONE` and marks built settled are durable at once; a
 * failing mark never becomes an unhandled rejection, yet its `promise` still rejects for those
 * who wait on it.
 */
import { describe, expect, it } from 'vitest';
import { DurableMark } from '../../runtime/api/index.js';

function manual(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('DurableMark', () => {
  it('is pending until its promise resolves, then durable', async () => {
    const gate = manual();
    const mark = new DurableMark(gate.promise);
    expect([mark.durable, mark.failed]).toEqual([false, false]);
    await Promise.resolve();
    expect(mark.durable).toBe(false);
    gate.resolve();
    await mark.promise;
    expect([mark.durable, mark.failed]).toEqual([true, false]);
  });

  it('is failed once its promise rejects, and its promise rejects the same', async () => {
    const gate = manual();
    const mark = new DurableMark(gate.promise);
    const boom = new Error('fsync failed');
    gate.reject(boom);
    await expect(mark.promise).rejects.toBe(boom);
    expect([mark.durable, mark.failed]).toEqual([false, true]);
  });

  it('does not leave an unhandled rejection when nobody waits on a failed mark', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const gate = manual();
      const mark = new DurableMark(gate.promise);
      gate.reject(new Error('lost'));
      // Two macrotask turns: Node reports unhandled rejections after the microtask queue drains.
      await new Promise(resolve => setImmediate(resolve));
      await new Promise(resolve => setImmediate(resolve));
      expect(mark.failed).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('needs a turn to notice a resolved promise, unless built settled', async () => {
    const late = new DurableMark(Promise.resolve());
    expect(late.durable).toBe(false);
    await late.promise;
    expect(late.durable).toBe(true);
    const settled = new DurableMark(Promise.resolve(), true);
    expect([settled.durable, settled.failed]).toEqual([true, false]);
  });

  it('has DONE durable from the start, and it stays so', async () => {
    expect(DurableMark.DONE.durable).toBe(true);
    expect(DurableMark.DONE.failed).toBe(false);
    await DurableMark.DONE.promise;
    expect(DurableMark.DONE.durable).toBe(true);
  });
});
