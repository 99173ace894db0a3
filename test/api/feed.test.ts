/**
 * `DatabaseFeed` over a real engine database (the ws fixture), with recording clients: every
 * published batch becomes, synchronously and in commit order, one `ClientTransaction` per client
 * that must hear of it — the caller once, with its ticket (failed calls: the caller only), and
 * every client whose query sets the transaction changed, clients with the same share getting
 * the same array. Query sets: current rows on subscribe, replace, limits, `SELECT * FROM *`,
 * unsubscribe with rows; a delta over the row limit or a failed evaluation drops sets; `leave`
 * forgets a client's calls, `end` tells every client.
 */
import { describe, expect, it } from 'vitest';
import {
  Connection,
  DatabaseFeed,
  DurableMark,
  runSql,
  type ClientTransaction,
  type FeedClient,
  type FeedEnd,
  type FeedLimits,
} from '../../runtime/api/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import {
  ConnectionId,
  Identity,
  WasmbaseError,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import { SQL_TX_LABEL } from '../../runtime/sql/index.js';
import { PassThroughHandle as FlakyHandle } from '../helpers/pass-through-handle.js';
import { RecordingLogger } from '../helpers/recording-logger.js';
import { until as waitUntil } from '../helpers/wait.js';
import { playerNames, reducerArgs, wsFixtureDatabase } from '../helpers/ws-fixture-db.js';

const { owner, handle: real } = await wsFixtureDatabase('feed');

class Client implements FeedClient {
  readonly txs: ClientTransaction[] = [];
  readonly dropped: { set: number; error: WasmbaseError; durable: DurableMark }[] = [];
  readonly ended: FeedEnd[] = [];
  constructor(
    readonly identity: Identity = Identity.random(),
    readonly isOwner = false,
  ) {}
  transaction(tx: ClientTransaction): void {
    this.txs.push(tx);
  }
  querySetDropped(set: number, error: WasmbaseError, durable: DurableMark): void {
    this.dropped.push({ set, error, durable });
  }
  feedEnded(reason: FeedEnd): void {
    this.ended.push(reason);
  }
}

const LIMITS: FeedLimits = { rowLimit: 1000, maxSubscriptions: 8 };

const args = (reducer: string, values: AlgebraicValue[]): Uint8Array =>
  reducerArgs(real, reducer, values);
const names = playerNames(real);

/** A connection of `client`'s identity (client_connected ran). */
const connect = (client: Client): Promise<Connection> =>
  Connection.open(real, client.identity, ConnectionId.random(), silentLogger);

/** Waits (bounded: 500 polls) until `ready()` holds. */
const until = (ready: () => boolean, what: string): Promise<void> => waitUntil(ready, what, 500);

/** The error `fn` throws (it must throw a WasmbaseError). */
function thrown(fn: () => unknown): WasmbaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a WasmbaseError, nothing was thrown');
}

let nextTeam = 1000;

describe('DatabaseFeed transactions', () => {
  it('tells the caller once with its ticket, and only clients whose queries changed', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const team = nextTeam++;
    const [caller, watcher, elsewhere, idle] = [
      new Client(),
      new Client(),
      new Client(),
      new Client(),
    ];
    for (const c of [caller, watcher, elsewhere, idle]) feed.join(c);
    feed.subscribe(caller, 1, [`SELECT * FROM player WHERE team = ${team}`]);
    feed.subscribe(watcher, 4, [`SELECT * FROM player WHERE team = ${team}`]);
    feed.subscribe(elsewhere, 1, [`SELECT * FROM player WHERE team = ${team + 500}`]);
    const conn = await connect(caller);
    feed.call(caller, conn, 'add_player', args('add_player', ['ann', team, 1n]), {
      requestId: 7,
      flags: 0,
    });
    await until(() => caller.txs.length > 0 && watcher.txs.length > 0, 'the transaction');
    expect(caller.txs).toHaveLength(1);
    const [mine] = caller.txs;
    expect(mine?.ticket).toEqual({ requestId: 7, flags: 0 });
    expect(mine?.applied.status).toBe('committed');
    expect(mine?.applied.call.reducer).toBe('add_player');
    expect(
      mine?.updates.map(d => [d.set, d.tableName, names(d.inserts), d.deletes.length]),
    ).toEqual([[1, 'player', ['ann'], 0]]);
    const [theirs] = watcher.txs;
    expect(theirs?.ticket).toBeUndefined();
    expect(theirs?.applied).toBe(mine?.applied);
    expect(theirs?.updates.map(d => [d.set, names(d.inserts)])).toEqual([[4, ['ann']]]);
    expect([elsewhere.txs, idle.txs]).toEqual([[], []]);
    // Both messages share the batch's durability.
    expect(theirs?.durable).toBe(mine?.durable);
    await mine!.durable.promise;
    expect(mine?.durable.durable).toBe(true);
    await conn.close();
    feed.end('shutdown');
  });

  it('gives clients with the same share the same array', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const team = nextTeam++;
    const [a, b, c, caller] = [new Client(), new Client(), new Client(), new Client()];
    for (const x of [a, b, c, caller]) feed.join(x);
    const sql = `SELECT * FROM player WHERE team = ${team}`;
    feed.subscribe(a, 2, [sql]);
    feed.subscribe(b, 2, [sql]);
    feed.subscribe(c, 3, [sql]);
    const conn = await connect(caller);
    feed.call(caller, conn, 'add_player', args('add_player', ['bo', team, 1n]), {
      requestId: 1,
      flags: 0,
    });
    await until(() => [a, b, c].every(x => x.txs.length === 1), 'three deliveries');
    expect(a.txs[0]!.updates).toBe(b.txs[0]!.updates);
    expect(c.txs[0]!.updates).not.toBe(a.txs[0]!.updates);
    expect(c.txs[0]!.updates[0]!.inserts).toBe(a.txs[0]!.updates[0]!.inserts);
    expect(caller.txs[0]!.updates).toEqual([]);
    await conn.close();
    feed.end('shutdown');
  });

  it('tells only the caller of a failed call, with no rows', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const [caller, watcher] = [new Client(), new Client()];
    feed.join(caller);
    feed.join(watcher);
    feed.subscribe(watcher, 1, ['SELECT * FROM player']);
    const conn = await connect(caller);
    feed.call(caller, conn, 'fail', args('fail', ['nope']), { requestId: 3, flags: 0 });
    await until(() => caller.txs.length === 1, 'the failure');
    const [tx] = caller.txs;
    expect(tx?.applied.status === 'failed' && tx.applied.error.message).toBe('nope');
    expect(tx?.updates).toEqual([]);
    expect(tx?.durable).toBe(DurableMark.DONE);
    expect(watcher.txs).toEqual([]);
    await conn.close();
    feed.end('shutdown');
  });

  it('throws the call’s checks synchronously and remembers nothing of it', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const caller = new Client();
    feed.join(caller);
    const conn = await connect(caller);
    const ticket = { requestId: 1, flags: 0 };
    const err = thrown(() => feed.call(caller, conn, 'nope', new Uint8Array(0), ticket));
    expect(err.code).toBe('REDUCER_NOT_FOUND');
    await conn.close();
    expect(caller.txs).toEqual([]);
    feed.end('shutdown');
  });

  it('delivers in commit order, synchronously with the publish', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const team = nextTeam++;
    const watcher = new Client();
    const caller = new Client();
    feed.join(watcher);
    feed.join(caller);
    feed.subscribe(watcher, 1, [`SELECT * FROM player WHERE team = ${team}`]);
    const conn = await connect(caller);
    const seenAtPublish: number[] = [];
    const stop = real.onPublished(() => seenAtPublish.push(watcher.txs.length));
    const order = ['p1', 'p2', 'p3', 'p4', 'p5'];
    order.forEach((name, i) =>
      feed.call(caller, conn, 'add_player', args('add_player', [name, team, 1n]), {
        requestId: i,
        flags: 0,
      }),
    );
    await until(() => caller.txs.length === order.length, 'five calls');
    stop();
    expect(caller.txs.map(t => t.ticket?.requestId)).toEqual([0, 1, 2, 3, 4]);
    expect(watcher.txs.flatMap(t => names(t.updates[0]!.inserts))).toEqual(order);
    // The feed listens before this listener, so it has delivered by the time it runs.
    expect(seenAtPublish.at(-1)).toBe(watcher.txs.length);
    await conn.close();
    feed.end('shutdown');
  });

  it('hears host-side transactions (SQL DML) like any other', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const watcher = new Client();
    feed.join(watcher);
    feed.subscribe(watcher, 1, ['SELECT * FROM team WHERE id = 4242']);
    await runSql(
      real,
      "INSERT INTO team (id, name) VALUES (4242, 'sql')",
      {
        identity: owner,
        isOwner: true,
      },
      { rowLimit: 10 },
    );
    expect(watcher.txs).toHaveLength(1);
    expect(watcher.txs[0]!.applied.call.reducer).toBe(SQL_TX_LABEL);
    expect(watcher.txs[0]!.updates[0]!.inserts).toHaveLength(1);
    feed.end('shutdown');
  });

  it('moves lastDurable to each committed batch, not to failed ones', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const caller = new Client();
    feed.join(caller);
    const conn = await connect(caller);
    const before = feed.lastDurable;
    feed.call(caller, conn, 'add_team', args('add_team', [nextTeam++, 't']), {
      requestId: 1,
      flags: 0,
    });
    await until(() => caller.txs.length === 1, 'the commit');
    const after = feed.lastDurable;
    expect(after).not.toBe(before);
    expect(after).toBe(caller.txs[0]!.durable);
    feed.call(caller, conn, 'fail', args('fail', ['x']), { requestId: 2, flags: 0 });
    await until(() => caller.txs.length === 2, 'the failure');
    expect(feed.lastDurable).toBe(after);
    await after.promise;
    await conn.close();
    feed.end('shutdown');
  });
});

describe('DatabaseFeed query sets', () => {
  it('returns current rows, refuses a taken set unless replacing, unsubscribes', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const team = nextTeam++;
    await real.call({
      reducer: 'add_player',
      args: args('add_player', ['cy', team, 1n]),
      sender: owner,
      connectionId: undefined,
    });
    const c = new Client();
    feed.join(c);
    const sql = `SELECT * FROM player WHERE team = ${team}`;
    const [rows] = feed.subscribe(c, 5, [sql]);
    expect(rows?.query.tableName).toBe('player');
    expect(names(rows!.rows)).toEqual(['cy']);
    expect(thrown(() => feed.subscribe(c, 5, [sql])).code).toBe('INVALID_ARGUMENT');
    const replaced = feed.subscribe(c, 5, [sql, 'SELECT * FROM team WHERE id = 0'], true);
    expect(replaced.map(r => r.query.tableName)).toEqual(['player', 'team']);
    expect(feed.hasSet(c, 5)).toBe(true);
    const dropped = feed.unsubscribe(c, 5, true);
    expect(dropped.map(r => r.rows.length)).toEqual([1, 0]);
    expect(feed.hasSet(c, 5)).toBe(false);
    expect(thrown(() => feed.unsubscribe(c, 5, false)).code).toBe('INVALID_ARGUMENT');
    feed.subscribe(c, 6, [sql]);
    expect(feed.unsubscribe(c, 6, false)).toEqual([]);
    expect(feed.sharedQueries).toBe(0);
    feed.end('shutdown');
  });

  it('limits the queries a client holds across its sets', () => {
    const feed = new DatabaseFeed(real, { rowLimit: 100, maxSubscriptions: 3 }, silentLogger);
    const c = new Client();
    feed.join(c);
    feed.subscribe(c, 1, ['SELECT * FROM player', 'SELECT * FROM team']);
    const err = thrown(() => feed.subscribe(c, 2, ['SELECT * FROM visit', 'SELECT * FROM team']));
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.details).toEqual({ limit: 3 });
    expect(feed.hasSet(c, 2)).toBe(false);
    // Replacing a set counts the new queries instead of the old ones.
    feed.subscribe(
      c,
      1,
      ['SELECT * FROM player', 'SELECT * FROM team', 'SELECT * FROM visit'],
      true,
    );
    feed.end('shutdown');
  });

  it('expands SELECT * FROM * to the tables the client may read', () => {
    const feed = new DatabaseFeed(real, { rowLimit: 1000, maxSubscriptions: 20 }, silentLogger);
    const stranger = new Client();
    const boss = new Client(owner, true);
    feed.join(stranger);
    feed.join(boss);
    const tables = (c: Client) =>
      feed.subscribe(c, 1, ['select * from *']).map(r => r.query.tableName);
    expect(tables(stranger).sort()).toEqual(['player', 'team', 'visit']);
    expect(tables(boss).sort()).toEqual(['gate', 'player', 'secret', 'team', 'visit']);
    const hidden = thrown(() => feed.subscribe(stranger, 2, ['SELECT * FROM secret']));
    expect(hidden.code).toBe('SQL_UNKNOWN_NAME');
    feed.end('shutdown');
  });

  it('drops the set whose delta passes the row limit, and still answers the caller', async () => {
    const feed = new DatabaseFeed(real, { rowLimit: 3, maxSubscriptions: 8 }, silentLogger);
    const team = nextTeam++;
    const [caller, watcher] = [new Client(), new Client()];
    feed.join(caller);
    feed.join(watcher);
    feed.subscribe(watcher, 9, [`SELECT * FROM player WHERE team = ${team}`]);
    feed.subscribe(watcher, 10, ['SELECT * FROM team WHERE id = 0']);
    const conn = await connect(caller);
    feed.call(caller, conn, 'add_many', args('add_many', [5, team, 1]), { requestId: 1, flags: 0 });
    await until(() => caller.txs.length === 1, 'the call');
    expect(watcher.dropped.map(d => [d.set, d.error.code])).toEqual([[9, 'SQL_ROW_LIMIT']]);
    expect(watcher.dropped[0]!.durable).toBe(caller.txs[0]!.durable);
    expect(watcher.txs).toEqual([]);
    expect([feed.hasSet(watcher, 9), feed.hasSet(watcher, 10)]).toEqual([false, true]);
    expect(caller.txs[0]!.applied.status).toBe('committed');
    await conn.close();
    feed.end('shutdown');
  });

  it('drops every set when an evaluation fails, and logs why', async () => {
    const flaky = new FlakyHandle(real);
    const logger = new RecordingLogger();
    const feed = new DatabaseFeed(flaky, LIMITS, logger);
    const [caller, watcher] = [new Client(), new Client()];
    feed.join(caller);
    feed.join(watcher);
    feed.subscribe(watcher, 1, ['SELECT * FROM player']);
    feed.subscribe(watcher, 2, ['SELECT * FROM team']);
    feed.subscribe(caller, 3, ['SELECT * FROM team']);
    const conn = await connect(caller);
    flaky.failReads = true;
    feed.call(caller, conn, 'add_team', args('add_team', [nextTeam++, 'f']), {
      requestId: 1,
      flags: 0,
    });
    await until(() => caller.txs.length === 1, 'the call');
    flaky.failReads = false;
    expect(watcher.dropped.map(d => [d.set, d.error.code])).toEqual([
      [1, 'INTERNAL'],
      [2, 'INTERNAL'],
    ]);
    expect(watcher.dropped[0]!.error.message).not.toMatch(/MDB|data/);
    expect(caller.dropped.map(d => d.set)).toEqual([3]);
    expect(caller.txs[0]!.updates).toEqual([]);
    expect(logger.errors).toEqual(['subscription evaluation failed']);
    expect(feed.sharedQueries).toBe(0);
    await conn.close();
    feed.end('shutdown');
  });
});

describe('DatabaseFeed clients', () => {
  it('forgets a client that leaves: its sets and the calls it waited for', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const team = nextTeam++;
    const caller = new Client();
    const watcher = new Client();
    feed.join(caller);
    feed.join(watcher);
    feed.subscribe(caller, 1, [`SELECT * FROM player WHERE team = ${team}`]);
    feed.subscribe(watcher, 1, [`SELECT * FROM player WHERE team = ${team}`]);
    const conn = await connect(caller);
    feed.call(caller, conn, 'add_player', args('add_player', ['dee', team, 1n]), {
      requestId: 1,
      flags: 0,
    });
    feed.leave(caller);
    expect(feed.clientCount).toBe(1);
    await until(() => watcher.txs.length === 1, 'the watcher');
    expect(caller.txs).toEqual([]);
    expect(feed.hasSet(caller, 1)).toBe(false);
    expect(thrown(() => feed.subscribe(caller, 2, ['SELECT * FROM team'])).code).toBe(
      'INVALID_ARGUMENT',
    );
    feed.leave(caller);
    await conn.close();
    feed.end('shutdown');
  });

  it('tells every client when it ends, then refuses joins and hears nothing more', async () => {
    const feed = new DatabaseFeed(real, LIMITS, silentLogger);
    const [a, b] = [new Client(), new Client()];
    feed.join(a);
    feed.join(a);
    feed.join(b);
    expect(feed.clientCount).toBe(2);
    feed.subscribe(a, 1, ['SELECT * FROM team']);
    feed.end('module-updated');
    feed.end('deleted');
    expect([a.ended, b.ended]).toEqual([['module-updated'], ['module-updated']]);
    expect(feed.clientCount).toBe(0);
    expect(thrown(() => feed.join(new Client())).code).toBe('UNAVAILABLE');
    await real.call({
      reducer: 'add_team',
      args: args('add_team', [nextTeam++, 'late']),
      sender: owner,
      connectionId: undefined,
    });
    expect(a.txs).toEqual([]);
  });
});
