/**
 * `Connection` and `callOnce` over a real engine database (the ws fixture, whose
 * `client_connected` counts connects and refuses while its gate is closed, and whose
 * `client_disconnected` counts disconnects). Opening runs `client_connected` (a failure is
 * PERMISSION_DENIED with the module's message); calls run as the connection's identity and
 * connection id; closing runs `client_disconnected` once; a closed connection refuses work;
 * one-off queries only SELECT and see private tables only as the owner. `callOnce` checks the
 * call before it connects, and is one whole connection.
 */
import { describe, expect, it } from 'vitest';
import { callOnce, Connection } from '../../runtime/api/index.js';
import type { DatabaseHandle, ExecutedCall } from '../../runtime/host/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import {
  ConnectionId,
  encodeToBytes,
  Identity,
  WasmbaseError,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { reducerArgs, wsFixtureDatabase } from '../helpers/ws-fixture-db.js';

const { engine, owner, handle } = await wsFixtureDatabase('conn');
await engine.publish({
  moduleBytes: moduleBytes('quickstart'),
  owner,
  nameOrIdentity: 'plain',
  clear: false,
});
const plain: DatabaseHandle = engine.resolve('plain')!;

/** Every call published on `db` from now on. */
function follow(db: DatabaseHandle): { calls: ExecutedCall[]; stop: () => void } {
  const calls: ExecutedCall[] = [];
  const stop = db.onPublished(batch => calls.push(...batch.calls.map(c => c.call)));
  return { calls, stop };
}

const args = (reducer: string, values: AlgebraicValue[]): Uint8Array =>
  reducerArgs(handle, reducer, values);

/** [connects, disconnects] of `who` in the visit table (its row: identity, u32, u32). */
function visits(who: Identity): [number, number] {
  const table = handle.schema.tableByName('visit')!;
  const rows = handle.read(tx => tx.scan(table.id));
  for (const row of rows) {
    if (!who.equals(new Identity(row.slice(0, 32)))) continue;
    const view = new DataView(row.buffer, row.byteOffset, row.byteLength);
    return [view.getUint32(32, true), view.getUint32(36, true)];
  }
  return [0, 0];
}

async function rejection(p: Promise<unknown>): Promise<WasmbaseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a WasmbaseError, the promise resolved');
}

/** Opens or closes the gate with a plain call (a connection could not reopen it). */
async function setGate(closed: boolean): Promise<void> {
  const request = { reducer: 'set_gate', args: args('set_gate', [closed]) };
  const outcome = await handle.call({ ...request, sender: owner, connectionId: undefined });
  expect(outcome.status).toBe('committed');
}

describe('Connection', () => {
  it('runs client_connected on open and client_disconnected once on close', async () => {
    const who = Identity.random();
    const id = ConnectionId.random();
    const seen = follow(handle);
    const c = await Connection.open(handle, who, id, silentLogger);
    expect(visits(who)).toEqual([1, 0]);
    expect([c.identity, c.connectionId, c.isOwner, c.closed]).toEqual([who, id, false, false]);
    await c.close();
    await c.close();
    expect(c.closed).toBe(true);
    expect(visits(who)).toEqual([1, 1]);
    seen.stop();
    expect(seen.calls.map(x => x.reducer)).toEqual(['client_connected', 'client_disconnected']);
    for (const x of seen.calls) {
      expect(x.sender.equals(who)).toBe(true);
      expect(x.connectionId?.toHex()).toBe(id.toHex());
    }
  });

  it('calls reducers as its identity and connection id', async () => {
    const who = Identity.random();
    const id = ConnectionId.random();
    const c = await Connection.open(handle, who, id, silentLogger);
    const seen = follow(handle);
    const outcome = await c.call('add_player', args('add_player', ['ann', 3, 10n]));
    expect(outcome.status).toBe('committed');
    const submitted = c.submit('add_player', args('add_player', ['bo', 3, 11n]));
    expect(submitted.sender.equals(who)).toBe(true);
    expect(submitted.connectionId?.toHex()).toBe(id.toHex());
    await c.close();
    seen.stop();
    const mine = seen.calls.filter(x => x.reducer === 'add_player');
    expect(mine.map(x => x.id)).toContain(submitted.id);
    for (const x of mine) {
      expect(x.sender.equals(who)).toBe(true);
      expect(x.connectionId?.toHex()).toBe(id.toHex());
    }
  });

  it('knows the owner', async () => {
    const c = await Connection.open(handle, owner, ConnectionId.random(), silentLogger);
    expect(c.isOwner).toBe(true);
    await c.close();
  });

  it("is refused with the module's message while client_connected fails", async () => {
    await setGate(true);
    try {
      const who = Identity.random();
      const err = await rejection(
        Connection.open(handle, who, ConnectionId.random(), silentLogger),
      );
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(err.message).toBe('the database refused the connection: the gate is closed');
      expect(err.details).toEqual({ reason: 'REDUCER_FAILED' });
      expect(visits(who)).toEqual([0, 0]);
    } finally {
      await setGate(false);
    }
  });

  it('refuses work once closed', async () => {
    const c = await Connection.open(handle, Identity.random(), ConnectionId.random(), silentLogger);
    await c.close();
    const attempts: (() => unknown)[] = [
      () => c.submit('add_player', args('add_player', ['x', 1, 1n])),
      () => c.call('add_player', args('add_player', ['x', 1, 1n])),
      () => c.oneOffQuery('SELECT * FROM player', { rowLimit: 10 }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(WasmbaseError);
      expect(attempt).toThrow('the connection is closed');
    }
  });

  it('opens and closes without lifecycle reducers when the module has none', async () => {
    const seen = follow(plain);
    const c = await Connection.open(plain, Identity.random(), ConnectionId.random(), silentLogger);
    await c.close();
    seen.stop();
    expect(seen.calls).toEqual([]);
  });
});

describe('Connection.oneOffQuery', () => {
  it('returns each table’s rows as BSATN with the row type', async () => {
    const c = await Connection.open(handle, owner, ConnectionId.random(), silentLogger);
    await c.call('add_team', args('add_team', [77, 'violet']));
    const [table, ...rest] = c.oneOffQuery('SELECT * FROM team WHERE id = 77', { rowLimit: 10 });
    expect(rest).toEqual([]);
    expect(table?.tableName).toBe('team');
    expect(table?.rowType.elements.map(e => e.name)).toEqual(['id', 'name']);
    const type = { tag: 'Product', elements: table!.rowType.elements } as const;
    expect(table?.rows).toEqual([encodeToBytes(type, [77, 'violet'])]);
    await c.close();
  });

  it('shows private tables to the owner only, and refuses anything but SELECT', async () => {
    const mine = await Connection.open(handle, owner, ConnectionId.random(), silentLogger);
    const theirs = await Connection.open(
      handle,
      Identity.random(),
      ConnectionId.random(),
      silentLogger,
    );
    expect(mine.oneOffQuery('SELECT * FROM secret', { rowLimit: 10 })[0]?.tableName).toBe('secret');
    let hidden: unknown;
    try {
      theirs.oneOffQuery('SELECT * FROM secret', { rowLimit: 10 });
    } catch (err) {
      hidden = err;
    }
    expect(hidden instanceof WasmbaseError && hidden.code).toBe('SQL_UNKNOWN_NAME');
    let dml: unknown;
    try {
      mine.oneOffQuery('DELETE FROM team', { rowLimit: 10 });
    } catch (err) {
      dml = err;
    }
    expect(dml instanceof WasmbaseError && dml.code).toBe('SQL_UNSUPPORTED');
    await mine.close();
    await theirs.close();
  });

  it('stops at the row limit', async () => {
    const c = await Connection.open(handle, owner, ConnectionId.random(), silentLogger);
    await c.call('add_many', args('add_many', [5, 900, 1]));
    let err: unknown;
    try {
      c.oneOffQuery('SELECT * FROM player WHERE team = 900', { rowLimit: 3 });
    } catch (e) {
      err = e;
    }
    expect(err instanceof WasmbaseError && err.code).toBe('SQL_ROW_LIMIT');
    await c.close();
  });
});

describe('callOnce', () => {
  it('is one connection: client_connected, the call, client_disconnected', async () => {
    const who = Identity.random();
    const seen = follow(handle);
    const outcome = await callOnce(
      handle,
      who,
      'add_team',
      args('add_team', [78, 'teal']),
      silentLogger,
    );
    seen.stop();
    expect(outcome.status).toBe('committed');
    expect(seen.calls.map(x => x.reducer)).toEqual([
      'client_connected',
      'add_team',
      'client_disconnected',
    ]);
    const ids = new Set(seen.calls.map(x => x.connectionId?.toHex()));
    expect(ids.size).toBe(1);
    expect(visits(who)).toEqual([1, 1]);
  });

  it('checks the call before connecting', async () => {
    const who = Identity.random();
    const seen = follow(handle);
    const calls: [string, Uint8Array | { jsonText: string }][] = [
      ['no_such', new Uint8Array(0)],
      ['add_team', Uint8Array.of(1)],
      ['client_connected', new Uint8Array(0)],
      ['add_team', { jsonText: '[1' }],
    ];
    const codes: string[] = [];
    for (const [reducer, a] of calls) {
      codes.push((await rejection(callOnce(handle, who, reducer, a, silentLogger))).code);
    }
    seen.stop();
    expect(codes).toEqual([
      'REDUCER_NOT_FOUND',
      'REDUCER_ARGS_INVALID',
      'LIFECYCLE_NOT_CALLABLE',
      'INVALID_JSON',
    ]);
    expect(seen.calls).toEqual([]);
    expect(visits(who)).toEqual([0, 0]);
  });

  it('resolves with a failed outcome when the reducer fails, and still disconnects', async () => {
    const who = Identity.random();
    const outcome = await callOnce(handle, who, 'fail', args('fail', ['no luck']), silentLogger);
    expect(outcome.status === 'failed' && [outcome.error.code, outcome.error.message]).toEqual([
      'REDUCER_FAILED',
      'no luck',
    ]);
    expect(visits(who)).toEqual([1, 1]);
  });

  it('does not run the call when the connection is refused', async () => {
    await setGate(true);
    try {
      const seen = follow(handle);
      const err = await rejection(
        callOnce(handle, Identity.random(), 'add_team', args('add_team', [79, 'x']), silentLogger),
      );
      seen.stop();
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(seen.calls.map(x => x.reducer)).toEqual(['client_connected']);
    } finally {
      await setGate(false);
    }
  });
});
