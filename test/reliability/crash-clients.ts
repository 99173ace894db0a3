/**
 * @module
 * The clients of the crash durability test (`crash-durability.test.ts`) against the
 * `reliability` fixture (`pair(tag)` writes two `entry` rows tagged `tag`; `note` takes SQL
 * inserts): HTTP, WebSocket and SQL-DML writers that record every write the server
 * acknowledged, and a WebSocket subscriber that keeps a cache of `entry` from its diffs.
 * Every loop stops when told or when the server goes away.
 */
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
  type ServerMessage,
} from '../../runtime/protocol/index.js';
import { openWs, type TestWsClient } from '../helpers/ws-client.js';

export const DB = 'rel';
const STRING: AlgebraicType = { tag: 'String' };
const PAIR_ARGS: AlgebraicType = { tag: 'Product', elements: [{ name: 'tag', type: STRING }] };
const ENTRY: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'id', type: { tag: 'U64' } },
    { name: 'tag', type: STRING },
    { name: 'half', type: { tag: 'U32' } },
  ],
};

export interface Entry {
  readonly id: bigint;
  readonly tag: string;
  readonly half: number;
}

export function decodeEntry(row: Uint8Array): Entry {
  const [id, tag, half] = decodeFromBytes(ENTRY, row) as [bigint, string, number];
  return { id, tag, half };
}

/** The writes acknowledged so far: pair tags (HTTP and WS) and note tags (SQL). */
export interface Acked {
  readonly pairs: Set<string>;
  readonly notes: Set<string>;
}

export interface Stop {
  stopped: boolean;
}

/** Calls `pair` over HTTP until stopped; records each 200. */
export async function httpWriter(url: string, prefix: string, acked: Acked, stop: Stop) {
  for (let n = 0; !stop.stopped && n < 100_000; n++) {
    const tag = `${prefix}-${n}`;
    try {
      const res = await fetch(`${url}/v1/database/${DB}/call/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([tag]),
      });
      await res.arrayBuffer();
      if (res.status === 200) acked.pairs.add(tag);
    } catch {
      return;
    }
  }
}

/** Inserts `note` rows with SQL DML until stopped; records each 200. */
export async function sqlWriter(
  url: string,
  token: string,
  prefix: string,
  acked: Acked,
  stop: Stop,
) {
  for (let n = 0; !stop.stopped && n < 100_000; n++) {
    const tag = `${prefix}-${n}`;
    try {
      const res = await fetch(`${url}/v1/database/${DB}/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: `INSERT INTO note (tag, n) VALUES ('${tag}', ${n})`,
      });
      await res.arrayBuffer();
      if (res.status === 200) acked.notes.add(tag);
    } catch {
      return;
    }
  }
}

/** Calls `pair` over a v1 WebSocket, one at a time; records each Committed TransactionUpdate. */
export async function wsWriter(url: string, prefix: string, acked: Acked, stop: Stop) {
  let c: TestWsClient;
  try {
    c = await openWs(url, DB);
    await c.next();
  } catch {
    return;
  }
  try {
    for (let n = 0; !stop.stopped && n < 100_000; n++) {
      const tag = `${prefix}-${n}`;
      const args = encodeToBytes(PAIR_ARGS, [tag]);
      c.send({
        tag: 'CallReducer',
        reducer: 'pair',
        args: { format: 'bsatn', bytes: args },
        requestId: n,
        flags: 0,
      });
      for (let i = 0; i < 100; i++) {
        const m = await Promise.race([c.next(3000), c.closed]);
        if (!('tag' in m)) return;
        if (m.tag === 'TransactionUpdate' && m.reducerCall.requestId === n) {
          if (m.status.tag === 'Committed') acked.pairs.add(tag);
          break;
        }
      }
    }
  } catch {
    // The server went away.
  } finally {
    c.socket.terminate();
  }
}

/** A subscriber to `SELECT * FROM entry` keeping a cache (id → row) from its diffs. */
export class Subscriber {
  readonly cache = new Map<bigint, Entry>();
  readonly #client: TestWsClient;
  #done: Promise<void> = Promise.resolve();

  private constructor(client: TestWsClient) {
    this.#client = client;
  }

  /** Connects, subscribes and applies the initial rows; then follows updates in the background. */
  static async open(url: string): Promise<Subscriber> {
    const c = await openWs(url, DB);
    await c.next();
    c.send({ tag: 'Subscribe', queryStrings: ['SELECT * FROM entry'], requestId: 1 });
    const s = new Subscriber(c);
    for (let i = 0; i < 100; i++) {
      const m = await c.next(10_000);
      if (m.tag === 'InitialSubscription') {
        s.#apply(m.databaseUpdate.tables);
        break;
      }
    }
    s.#done = s.#follow();
    return s;
  }

  #apply(
    tables: Extract<ServerMessage, { tag: 'InitialSubscription' }>['databaseUpdate']['tables'],
  ) {
    for (const t of tables)
      for (const u of t.updates) {
        for (const row of u.deletes) this.cache.delete(decodeEntry(row).id);
        for (const row of u.inserts) {
          const e = decodeEntry(row);
          this.cache.set(e.id, e);
        }
      }
  }

  async #follow() {
    try {
      for (;;) {
        const m = await Promise.race([this.#client.next(60_000), this.#client.closed]);
        if (!('tag' in m)) return;
        if (m.tag === 'TransactionUpdate' && m.status.tag === 'Committed')
          this.#apply(m.status.update.tables);
        else if (m.tag === 'TransactionUpdateLight') this.#apply(m.update.tables);
      }
    } catch {
      // Closed or killed.
    }
  }

  async close(): Promise<void> {
    this.#client.socket.terminate();
    await this.#done;
  }
}
