/**
 * `WsSession` over a fake socket and a fake protocol handler. Inbound: nothing is handled before
 * the connection is ready; calls are dispatched at once up to the in-flight limit, any other
 * request waits for the calls before it; too many queued requests close 1008. Outbound: messages
 * leave in the order they were sent, one held for its transaction's durability holding back
 * those after it; a transaction that never becomes durable closes 1011; a client over its
 * buffer limit is closed 1008 instead of being written to; close reasons fit in 123 bytes.
 */
import { describe, expect, it } from 'vitest';
import { DurableMark } from '../../runtime/api/index.js';
import { WS_CLOSE } from '../../runtime/protocol/index.js';
import {
  WsSession,
  type Frame,
  type Payload,
  type SessionHandler,
  type SessionLimits,
  type WsSocket,
} from '../../runtime/ws/session.js';

class FakeSocket implements WsSocket {
  readonly sent: Payload[] = [];
  readonly ended: { code: number; reason: string }[] = [];
  corks = 0;
  buffered = 0;
  throwOnEnd = false;

  send(data: Uint8Array | string): number {
    this.sent.push(data);
    return 1;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  end(code: number, reason: string): void {
    this.ended.push({ code, reason });
    if (this.throwOnEnd) throw new Error('the socket is already closed');
  }
  cork(cb: () => void): this {
    this.corks++;
    cb();
    return this;
  }
}

interface Request {
  readonly kind: 'call' | 'other';
  readonly n: number;
}

class FakeHandler implements SessionHandler<Request> {
  readonly dispatched: number[] = [];
  /** The payloads of each `frames` call (one per flush). */
  readonly flushes: (readonly Payload[])[] = [];
  isCall(r: Request): boolean {
    return r.kind === 'call';
  }
  dispatch(r: Request): void {
    this.dispatched.push(r.n);
  }
  frames(payloads: readonly Payload[]): readonly Frame[] {
    this.flushes.push(payloads);
    return payloads.map(data => ({ data, binary: typeof data !== 'string' }));
  }
}

const LIMITS: SessionLimits = { maxBufferedBytes: 1000, maxInflightCalls: 4, maxQueuedMessages: 8 };

function setup(limits: Partial<SessionLimits> = {}, ready = true) {
  const socket = new FakeSocket();
  const handler = new FakeHandler();
  const session = new WsSession(socket, { ...LIMITS, ...limits }, handler);
  if (ready) session.markReady();
  return { socket, handler, session };
}

const call = (n: number): Request => ({ kind: 'call', n });
const other = (n: number): Request => ({ kind: 'other', n });

/** Lets promise callbacks and the once-per-turn send scheduler run. */
async function flushed(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve));
}

function gate(): { mark: DurableMark; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const mark = new DurableMark(
    new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return { mark, resolve, reject };
}

describe('WsSession inbound order', () => {
  it('handles nothing before the connection is ready, then everything queued, in order', () => {
    const { handler, session } = setup({}, false);
    session.receive([other(1), other(2)]);
    expect(handler.dispatched).toEqual([]);
    session.markReady();
    expect(handler.dispatched).toEqual([1, 2]);
  });

  it('dispatches calls at once but holds any other request until the calls before it apply', () => {
    const { handler, session } = setup();
    session.receive([call(1), call(2), other(3), call(4), other(5)]);
    expect(handler.dispatched).toEqual([1, 2]);
    expect(session.unappliedCalls).toBe(2);
    session.callApplied();
    expect(handler.dispatched).toEqual([1, 2]);
    session.callApplied();
    // The request after the calls goes, then the call after it, then the next request waits.
    expect(handler.dispatched).toEqual([1, 2, 3, 4]);
    session.callApplied();
    expect(handler.dispatched).toEqual([1, 2, 3, 4, 5]);
    expect(session.unappliedCalls).toBe(0);
  });

  it('keeps at most maxInflightCalls calls unapplied; other requests do not count', () => {
    const { handler, session } = setup({ maxInflightCalls: 2 });
    session.receive([other(0), call(1), call(2), call(3), call(4)]);
    expect(handler.dispatched).toEqual([0, 1, 2]);
    session.callApplied();
    expect(handler.dispatched).toEqual([0, 1, 2, 3]);
    session.callApplied();
    session.callApplied();
    expect(handler.dispatched).toEqual([0, 1, 2, 3, 4]);
    expect(session.unappliedCalls).toBe(1);
  });

  it('never counts below zero applied calls', () => {
    const { handler, session } = setup();
    session.callApplied();
    expect(session.unappliedCalls).toBe(0);
    session.receive([call(1), other(2)]);
    expect(handler.dispatched).toEqual([1]);
  });

  it('closes 1008 when more requests queue than allowed, and handles nothing after', () => {
    const { socket, handler, session } = setup({ maxQueuedMessages: 3 }, false);
    session.receive([other(1), other(2), other(3)]);
    expect(socket.ended).toEqual([]);
    session.receive([other(4)]);
    expect(socket.ended).toEqual([
      {
        code: WS_CLOSE.POLICY_VIOLATION,
        reason: 'more than 3 messages queued (--ws-max-queued-messages)',
      },
    ]);
    expect(session.closed).toBe(true);
    session.receive([other(5)]);
    session.markReady();
    expect(handler.dispatched).toEqual([]);
  });

  it('counts what waits, not what was handled', () => {
    const { socket, session } = setup({ maxQueuedMessages: 2 });
    for (let i = 0; i < 10; i++) session.receive([other(i)]);
    session.receive([call(10), call(11)]);
    expect(socket.ended).toEqual([]);
  });
});

describe('WsSession outbound order', () => {
  it('writes the messages of one turn in one corked flush, in order', async () => {
    const { socket, handler, session } = setup();
    session.send('a');
    session.send(Uint8Array.of(1));
    session.send('b', DurableMark.DONE);
    expect(socket.sent).toEqual([]);
    await flushed();
    expect(socket.sent).toEqual(['a', Uint8Array.of(1), 'b']);
    expect([handler.flushes.length, socket.corks]).toEqual([1, 1]);
  });

  it('holds a message until its transaction is durable, and everything sent after it', async () => {
    const { socket, session } = setup();
    const g = gate();
    session.send('a');
    session.send('b', g.mark);
    session.send('c');
    session.send('d', DurableMark.DONE);
    await flushed();
    expect(socket.sent).toEqual(['a']);
    g.resolve();
    await flushed();
    expect(socket.sent).toEqual(['a', 'b', 'c', 'd']);
    session.send('e');
    await flushed();
    expect(socket.sent).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps send order when later transactions become durable first', async () => {
    const { socket, session } = setup();
    const first = gate();
    const second = gate();
    session.send('x', first.mark);
    session.send('y', second.mark);
    second.resolve();
    await flushed();
    expect(socket.sent).toEqual([]);
    first.resolve();
    await flushed();
    expect(socket.sent).toEqual(['x', 'y']);
  });

  it('closes 1011 when a held transaction never becomes durable, sending no more', async () => {
    const { socket, session } = setup();
    const g = gate();
    session.send('before');
    await flushed();
    session.send('held', g.mark);
    session.send('after');
    g.reject(new Error('fsync failed'));
    await flushed();
    expect(socket.sent).toEqual(['before']);
    expect(socket.ended).toEqual([
      {
        code: WS_CLOSE.INTERNAL_ERROR,
        reason: 'a transaction could not be made durable; see the server log',
      },
    ]);
    session.send('later');
    await flushed();
    expect(socket.sent).toEqual(['before']);
  });

  it('closes 1011 for a message whose transaction already failed', async () => {
    const { socket, session } = setup();
    const g = gate();
    g.reject(new Error('lost'));
    await flushed();
    session.send('m', g.mark);
    await flushed();
    expect(socket.sent).toEqual([]);
    expect(socket.ended.map(e => e.code)).toEqual([WS_CLOSE.INTERNAL_ERROR]);
  });

  it('closes 1008 instead of writing to a client over its buffer limit', async () => {
    const { socket, session } = setup({ maxBufferedBytes: 100 });
    socket.buffered = 100;
    session.send('fits');
    await flushed();
    expect(socket.sent).toEqual(['fits']);
    socket.buffered = 101;
    session.send('too much');
    await flushed();
    expect(socket.sent).toEqual(['fits']);
    expect(socket.ended).toEqual([
      {
        code: WS_CLOSE.POLICY_VIOLATION,
        reason: 'client too slow: over 100 bytes unread (--ws-max-backpressure-bytes)',
      },
    ]);
  });

  it('sends nothing once closed, by either side', async () => {
    const mine = setup();
    mine.session.send('queued');
    mine.session.close(WS_CLOSE.NORMAL, 'bye');
    mine.session.send('after');
    await flushed();
    expect(mine.socket.sent).toEqual([]);

    const theirs = setup();
    const g = gate();
    theirs.session.send('held', g.mark);
    theirs.session.send('due');
    theirs.session.markClosed();
    theirs.session.receive([other(1)]);
    g.resolve();
    await flushed();
    expect(theirs.socket.sent).toEqual([]);
    expect(theirs.handler.dispatched).toEqual([]);
    expect(theirs.socket.ended).toEqual([]);
  });
});

describe('WsSession close', () => {
  const bytes = (s: string): number => new TextEncoder().encode(s).length;

  it('closes once, and survives a socket the peer already closed', () => {
    const { socket, session } = setup();
    socket.throwOnEnd = true;
    session.close(WS_CLOSE.GOING_AWAY, 'first');
    session.close(WS_CLOSE.NORMAL, 'second');
    expect(socket.ended).toEqual([{ code: WS_CLOSE.GOING_AWAY, reason: 'first' }]);
    expect(session.closed).toBe(true);
  });

  it('keeps a reason of up to 123 bytes as it is', () => {
    const { socket, session } = setup();
    const reason = 'é'.repeat(61) + 'x';
    expect(bytes(reason)).toBe(123);
    session.close(WS_CLOSE.NORMAL, reason);
    expect(socket.ended[0]!.reason).toBe(reason);
  });

  it.each([
    ['ASCII', 'x'.repeat(500)],
    ['two-byte characters', 'é'.repeat(200)],
    ['four-byte characters', '😀'.repeat(100)],
    ['a mix', `${'ab'.repeat(40)}${'漢'.repeat(40)}`],
  ])('clips a long reason of %s to at most 123 bytes ending in an ellipsis', (_, reason) => {
    const { socket, session } = setup();
    session.close(WS_CLOSE.POLICY_VIOLATION, reason);
    const clipped = socket.ended[0]!.reason;
    expect(bytes(clipped)).toBeLessThanOrEqual(123);
    expect(bytes(clipped)).toBeGreaterThan(110);
    expect(clipped.endsWith('…')).toBe(true);
    expect(reason.startsWith(clipped.slice(0, -1))).toBe(true);
  });

  it('never cuts a four-byte character in half', () => {
    const { socket, session } = setup();
    session.close(WS_CLOSE.POLICY_VIOLATION, `a${'😀'.repeat(60)}`);
    const clipped = socket.ended[0]!.reason;
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
