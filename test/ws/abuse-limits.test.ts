/**
 * The abuse limits over WebSocket (v1, v2, v3) on a real server whose limits run on a test
 * clock: a call over the rate gets the protocol's failed-call answer and the connection stays;
 * HTTP and WebSocket calls share an identity's budget; connections over a cap (per identity,
 * per address) are refused at the upgrade with 429, `Retry-After` and CONNECTION_LIMIT, and a
 * closed connection frees its slot; a connection without a token counts as a minted identity.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../runtime/main.js';
import {
  encodeToBytes,
  WS_PROTOCOL_V2_BSATN,
  WS_PROTOCOL_V3_BSATN,
  type ServerMessage,
} from '../../runtime/protocol/index.js';
import { manualClock } from '../helpers/manual-clock.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { openWs, type TestWsClient } from '../helpers/ws-client.js';
import { ADD_PLAYER_ARGS } from '../helpers/ws-fixture.js';
import { openV2 } from '../helpers/ws-v2-client.js';

const clock = manualClock();
const server: RunningServer = await testServer(
  {
    rateLimitExemptLoopback: false,
    rateLimitCallsPerIdentity: 3,
    maxConnectionsPerIdentity: 2,
    maxConnectionsPerIp: 4,
    rateLimitIdentitiesPerIp: 20,
  },
  { clock: clock.now },
);
const api = client(server);
const owner = await api.newIdentity();
const published = await api.json('POST', '/v1/database/wsabuse', {
  token: owner.token,
  body: moduleBytes('fixtures/ws'),
});
expect(published.status).toBe(200);

let nextId = 1;
const args = (name: string) => encodeToBytes(ADD_PLAYER_ARGS, [name, 7, 0n]);

function v1Call(c: TestWsClient, requestId: number): void {
  c.send({
    tag: 'CallReducer',
    reducer: 'add_player',
    args: { format: 'bsatn', bytes: args(`v1-${requestId}`) },
    requestId,
    flags: 0,
  });
}

/** The v1 status of each call, by request id, once `count` transaction updates arrived. */
async function v1Outcomes(c: TestWsClient, count: number): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const m: ServerMessage = await c.next();
    if (m.tag !== 'TransactionUpdate') throw new Error(`expected TransactionUpdate, got ${m.tag}`);
    const status = m.status.tag === 'Failed' ? `Failed: ${m.status.message}` : m.status.tag;
    out.set(m.reducerCall.requestId, status);
  }
  return out;
}

/** The upgrade's refusal: status, headers and error body. */
async function refused(open: Promise<unknown>) {
  const err = (await open.then(
    () => {
      throw new Error('the upgrade was accepted');
    },
    (e: unknown) => e,
  )) as { status: number; headers: Record<string, string>; body: string };
  return { ...err, error: (JSON.parse(err.body) as { error: Record<string, unknown> }).error };
}

beforeEach(() => clock.advance(3_600_000));

describe('abuse limits over WebSocket', () => {
  it('v1: a call over the rate fails in-protocol, the connection stays', async () => {
    const user = await api.newIdentity();
    const c = await openWs(server.url, 'wsabuse', { token: user.token });
    expect((await c.next()).tag).toBe('IdentityToken');
    const ids = [nextId++, nextId++, nextId++, nextId++];
    for (const id of ids) v1Call(c, id);
    const outcomes = await v1Outcomes(c, 4);
    expect(ids.slice(0, 3).map(id => outcomes.get(id))).toEqual([
      'Committed',
      'Committed',
      'Committed',
    ]);
    expect(outcomes.get(ids[3]!)).toBe(
      'Failed: over the limit of 3 reducer calls per second from one identity ' +
        '(--rate-limit-calls-per-identity); retry in 1 s',
    );
    clock.advance(1000);
    const later = nextId++;
    v1Call(c, later);
    expect((await v1Outcomes(c, 1)).get(later)).toBe('Committed');
    c.close();
    expect((await c.closed).code).toBe(1005);
  });

  for (const protocol of [WS_PROTOCOL_V2_BSATN, WS_PROTOCOL_V3_BSATN] as const) {
    it(`${protocol}: a call over the rate is an InternalError ReducerResult naming the code`, async () => {
      const user = await api.newIdentity();
      const c = await openV2(server.url, 'wsabuse', { protocol, token: user.token });
      await c.next('InitialConnection');
      const ids = [nextId++, nextId++, nextId++, nextId++];
      c.send(
        ...ids.map(requestId => ({
          tag: 'CallReducer' as const,
          requestId,
          flags: 0,
          reducer: 'add_player',
          args: args(`v2-${requestId}`),
        })),
      );
      const results = new Map<number, string>();
      for (let i = 0; i < 4; i++) {
        const r = await c.next('ReducerResult');
        const text = r.result.tag === 'InternalError' ? r.result.message : r.result.tag;
        results.set(r.requestId, text);
      }
      expect(ids.slice(0, 3).map(id => results.get(id))).toEqual(['OkEmpty', 'OkEmpty', 'OkEmpty']);
      expect(results.get(ids[3]!)).toMatch(/^RATE_LIMITED: .*--rate-limit-calls-per-identity/);
      clock.advance(1000);
      const requestId = nextId++;
      c.send({ tag: 'CallReducer', requestId, flags: 0, reducer: 'add_player', args: args('v2') });
      expect((await c.next('ReducerResult')).result.tag).toBe('OkEmpty');
      c.close();
    });
  }

  it('counts HTTP and WebSocket calls of one identity together', async () => {
    const user = await api.newIdentity();
    for (let i = 0; i < 3; i++) {
      const res = await api.json('POST', '/v1/database/wsabuse/call/add_player', {
        token: user.token,
        body: JSON.stringify([`http-${i}`, 7, 0]),
        contentType: 'application/json',
      });
      expect(res.status).toBe(200);
    }
    const c = await openWs(server.url, 'wsabuse', { token: user.token });
    await c.next();
    const id = nextId++;
    v1Call(c, id);
    expect((await v1Outcomes(c, 1)).get(id)).toMatch(/^Failed: .*--rate-limit-calls-per-identity/);
    c.close();
  });

  it('refuses a connection over the per-identity cap at the upgrade; closing frees a slot', async () => {
    const user = await api.newIdentity();
    const open = () => openWs(server.url, 'wsabuse', { token: user.token });
    const first = await open();
    const second = await open();
    const hello = await second.next();
    if (hello.tag !== 'IdentityToken') throw new Error(`expected IdentityToken, got ${hello.tag}`);
    const over = await refused(open());
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.error).toMatchObject({
      code: 'CONNECTION_LIMIT',
      number: 1120,
      details: {
        limit: 'connections-per-identity',
        flag: '--max-connections-per-identity',
        max: 2,
      },
    });
    expect(server.limits.connectionsOf(hello.identity)).toBe(2);
    // Another identity is not affected.
    const other = await api.newIdentity();
    const theirs = await openWs(server.url, 'wsabuse', { token: other.token });
    expect((await theirs.next()).tag).toBe('IdentityToken');
    first.close();
    await first.closed;
    const freed = () => server.limits.connectionsOf(hello.identity) === 1;
    await until(freed, 'the closed connection to free its slot');
    const again = await open();
    expect((await again.next()).tag).toBe('IdentityToken');
    for (const c of [second, again, theirs]) c.close();
  });

  it('refuses a connection over the per-address cap; another address is unaffected', async () => {
    const users = await Promise.all([1, 2, 3].map(() => api.newIdentity()));
    const held = [];
    // 4 per address: two identities with two connections each fill it.
    for (const u of users.slice(0, 2))
      for (let i = 0; i < 2; i++)
        held.push(await openWs(server.url, 'wsabuse', { token: u.token }));
    const third = users[2]!;
    const over = await refused(openWs(server.url, 'wsabuse', { token: third.token }));
    expect(over.status).toBe(429);
    expect(over.error).toMatchObject({
      code: 'CONNECTION_LIMIT',
      details: { limit: 'connections-per-ip', flag: '--max-connections-per-ip', max: 4 },
    });
    const elsewhere = await openWs(server.url, 'wsabuse', {
      token: third.token,
      localAddress: '127.0.0.2',
    });
    expect((await elsewhere.next()).tag).toBe('IdentityToken');
    elsewhere.close();
    for (const c of held) c.close();
    await Promise.all(held.map(c => c.closed));
  });

  it('counts a connection without a token as a minted identity', async () => {
    const anonymous = await openWs(server.url, 'wsabuse');
    const hello = await anonymous.next();
    expect(hello.tag).toBe('IdentityToken');
    anonymous.close();
    // Use up the rest of this address's minute: 20 minus the one just minted.
    for (let i = 0; i < 19; i++) expect((await api.json('POST', '/v1/identity')).status).toBe(200);
    const over = await refused(openWs(server.url, 'wsabuse'));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('3');
    expect(over.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'identities-per-ip', flag: '--rate-limit-identities-per-ip' },
    });
    // With a token nothing is minted.
    const c = await openWs(server.url, 'wsabuse', { token: owner.token });
    expect((await c.next()).tag).toBe('IdentityToken');
    c.close();
  });
});
