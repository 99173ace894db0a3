/**
 * Crash durability: the real server as a child process, HTTP, WebSocket and SQL-DML writers
 * recording every acknowledged write, and `kill -9` at a random moment of each cycle; some
 * cycles kill it while a publish (new database or update) or a delete is under way. After
 * every restart: no acknowledged write lost, no transaction half there (`pair` writes two rows
 * with one tag), no auto-increment id handed to a second row, a reconnecting subscriber's
 * cache equal to a fresh SQL query, and the database touched by the killed publish/delete
 * either fully there and callable or fully gone. CI: 20 cycles; `LONG_TESTS=1`: 500.
 */
import { describe, expect, it } from 'vitest';
import { startServer, type ChildServer } from '../helpers/child-server.js';
import { moduleBytes } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  DB,
  httpWriter,
  sqlWriter,
  Subscriber,
  wsWriter,
  type Acked,
  type Stop,
} from './crash-clients.js';
import { LONG, pickSeed, report, rng, type Rng } from './seeded.js';

const CYCLES = LONG ? 500 : 20;
const seed = pickSeed();
const module = moduleBytes('fixtures/reliability');

interface State {
  readonly acked: Acked;
  /** Every auto-increment id seen in a durable state, with the tag it belonged to. */
  readonly ids: Map<bigint, string>;
  token: string;
  lost: number;
  partial: number;
  reused: number;
  cacheMismatches: number;
  sideChecks: number;
  readonly restartMs: number[];
}

async function sql(url: string, token: string, query: string): Promise<unknown[][]> {
  const res = await fetch(`${url}/v1/database/${DB}/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: query,
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { rows: unknown[][] }[];
  return body[0]!.rows;
}

/** Checks the durable state after a restart against everything acknowledged so far. */
async function verify(server: ChildServer, s: State): Promise<void> {
  const rows = (await sql(server.url, s.token, 'SELECT * FROM entry')) as [
    number | string,
    string,
    number,
  ][];
  const halves = new Map<string, number>();
  for (const [id, tag] of rows) {
    halves.set(tag, (halves.get(tag) ?? 0) + 1);
    const big = BigInt(id);
    const before = s.ids.get(big);
    if (before !== undefined && before !== tag) s.reused++;
    s.ids.set(big, tag);
  }
  for (const count of halves.values()) if (count !== 2) s.partial++;
  for (const tag of s.acked.pairs) if (halves.get(tag) !== 2) s.lost++;
  const notes = new Set(
    ((await sql(server.url, s.token, 'SELECT tag FROM note')) as [string][]).map(r => r[0]),
  );
  for (const tag of s.acked.notes) if (!notes.has(tag)) s.lost++;
  // A reconnecting subscriber's cache equals the fresh query.
  const sub = await Subscriber.open(server.url);
  const fresh = new Set(rows.map(r => String(r[0])));
  const cached = new Set([...sub.cache.keys()].map(String));
  if (fresh.size !== cached.size || [...fresh].some(id => !cached.has(id))) s.cacheMismatches++;
  await sub.close();
}

/** The side database a killed publish or delete touched: fully there and callable, or gone. */
async function verifySide(server: ChildServer, s: State): Promise<void> {
  const res = await fetch(`${server.url}/v1/database/side/call/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(['side-check']),
  });
  await res.arrayBuffer();
  expect([200, 404]).toContain(res.status);
  s.sideChecks++;
}

/** Starts a publish or delete now (or nothing), for the kill to land in. */
function sideAction(r: Rng, url: string, token: string): Promise<unknown> {
  const headers = { authorization: `Bearer ${token}` };
  const action = r.pick(['none', 'publish-side', 'update-rel', 'delete-side'] as const);
  const target = action === 'update-rel' ? `${url}/v1/database/${DB}` : `${url}/v1/database/side`;
  if (action === 'none') return Promise.resolve();
  const init: RequestInit =
    action === 'delete-side'
      ? { method: 'DELETE', headers }
      : { method: 'POST', headers, body: module };
  return fetch(target, init).then(
    res => res.arrayBuffer(),
    () => undefined,
  );
}

async function runCycle(dataDir: string, cycle: number, r: Rng, s: State): Promise<void> {
  const t0 = performance.now();
  const server = await startServer(dataDir, ['--workers', '1']);
  s.restartMs.push(performance.now() - t0);
  if (cycle === 0) {
    const id = (await (await fetch(`${server.url}/v1/identity`, { method: 'POST' })).json()) as {
      token: string;
    };
    s.token = id.token;
    const res = await fetch(`${server.url}/v1/database/${DB}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}` },
      body: module,
    });
    expect(res.status).toBe(200);
  } else {
    await verify(server, s);
    await verifySide(server, s);
  }
  const stop: Stop = { stopped: false };
  const sub = await Subscriber.open(server.url);
  const writers = [
    httpWriter(server.url, `c${cycle}-h0`, s.acked, stop),
    httpWriter(server.url, `c${cycle}-h1`, s.acked, stop),
    wsWriter(server.url, `c${cycle}-w`, s.acked, stop),
    sqlWriter(server.url, s.token, `c${cycle}-s`, s.acked, stop),
  ];
  const runFor = r.int(300, 1000);
  await new Promise(res => setTimeout(res, runFor - 60));
  void sideAction(r, server.url, s.token);
  await new Promise(res => setTimeout(res, r.int(0, 60)));
  await server.kill9();
  stop.stopped = true;
  await Promise.all(writers);
  await sub.close();
}

describe(`crash durability (seed ${seed}; SEED=… to replay)`, () => {
  it(`loses nothing acknowledged over ${CYCLES} kill -9 cycles`, async () => {
    const r = rng(seed);
    const dataDir = tempDir();
    const s: State = {
      acked: { pairs: new Set(), notes: new Set() },
      ids: new Map(),
      token: '',
      lost: 0,
      partial: 0,
      reused: 0,
      cacheMismatches: 0,
      sideChecks: 0,
      restartMs: [],
    };
    for (let cycle = 0; cycle < CYCLES; cycle++) await runCycle(dataDir, cycle, r, s);
    const last = await startServer(dataDir, ['--workers', '1']);
    try {
      await verify(last, s);
      await verifySide(last, s);
    } finally {
      await last.kill9();
    }
    const sorted = [...s.restartMs].sort((a, b) => a - b);
    const pct = (p: number) => Math.round(sorted[Math.floor((sorted.length - 1) * p)]!);
    report('crash durability', {
      seed,
      cycles: CYCLES,
      ackedPairs: s.acked.pairs.size,
      ackedSqlInserts: s.acked.notes.size,
      lost: s.lost,
      partial: s.partial,
      reusedIds: s.reused,
      cacheMismatches: s.cacheMismatches,
      restartP50ms: pct(0.5),
      restartP95ms: pct(0.95),
    });
    expect(s.acked.pairs.size).toBeGreaterThan(CYCLES);
    expect(s.acked.notes.size).toBeGreaterThan(0);
    expect({ lost: s.lost, partial: s.partial, reused: s.reused }).toEqual({
      lost: 0,
      partial: 0,
      reused: 0,
    });
    expect(s.cacheMismatches).toBe(0);
    expect(s.sideChecks).toBe(CYCLES);
  }, 600_000);
});
