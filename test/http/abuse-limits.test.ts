/**
 * The abuse limits over HTTP, on a real server whose limits run on a test clock: 429 with
 * `Retry-After` and a structured error past a calls-per-second limit (per identity, per
 * address), other identities and addresses unaffected, recovery once the clock has moved;
 * identities minted per address (`POST /v1/identity` and anonymous requests); databases per
 * identity (403 on a new one, updates still allowed, archives counted). Loopback is counted
 * (`rateLimitExemptLoopback: false`), and a second loopback address (127.0.0.2) stands for
 * another client.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../helpers/manual-clock.js';
import { moduleBytes } from '../helpers/modules.js';
import { requestFrom } from '../helpers/request-from.js';
import { client, testServer } from '../helpers/server.js';

const clock = manualClock();
const server = await testServer(
  {
    rateLimitExemptLoopback: false,
    rateLimitCallsPerIdentity: 3,
    rateLimitCallsPerIp: 6,
    rateLimitIdentitiesPerIp: 5,
    maxDatabasesPerIdentity: 2,
  },
  { clock: clock.now },
);
const api = client(server);
const module = moduleBytes('fixtures/ws');
const alice = await api.newIdentity();
const bob = await api.newIdentity();
expect(
  (await api.json('POST', '/v1/database/abuse', { token: alice.token, body: module })).status,
).toBe(200);

let player = 0;
function call(token: string | undefined) {
  return api.json('POST', '/v1/database/abuse/call/add_player', {
    ...(token === undefined ? {} : { token }),
    body: JSON.stringify([`p${player++}`, 1, 0]),
    contentType: 'application/json',
  });
}

function errorOf(body: unknown): { code: string; details?: Record<string, unknown> } {
  return (body as { error: { code: string; details?: Record<string, unknown> } }).error;
}

// Every test starts with full buckets: an hour of the limits' clock refills all of them.
beforeEach(() => clock.advance(3_600_000));

describe('abuse limits over HTTP', () => {
  it('answers 429 with Retry-After past the per-identity call rate; others are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await call(alice.token)).status).toBe(200);
    const over = await call(alice.token);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(errorOf(over.body)).toMatchObject({
      code: 'RATE_LIMITED',
      number: 1008,
      details: { limit: 'calls-per-identity', flag: '--rate-limit-calls-per-identity', max: 3 },
    });
    expect((over.body as { error: { message: string } }).error.message).toContain(
      '--rate-limit-calls-per-identity',
    );
    // Bob, on the same address, has his own budget.
    expect((await call(bob.token)).status).toBe(200);
    // The refused call did not run.
    const rows = await api.json('POST', '/v1/database/abuse/sql', {
      token: alice.token,
      body: 'SELECT * FROM player',
    });
    expect((rows.body as { rows: unknown[] }[])[0]!.rows).toHaveLength(player - 1);
    // A third of a second later one call is allowed again (3 per second), and only one.
    clock.advance(334);
    expect((await call(alice.token)).status).toBe(200);
    expect((await call(alice.token)).status).toBe(429);
    // A second later the whole burst is back.
    clock.advance(1000);
    for (let i = 0; i < 3; i++) expect((await call(alice.token)).status).toBe(200);
    expect((await call(alice.token)).status).toBe(429);
  });

  it('limits calls per address across identities; another address is unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await call(alice.token)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await call(bob.token)).status).toBe(200);
    const carol = await api.newIdentity();
    const over = await call(carol.token);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(errorOf(over.body).details).toMatchObject({ limit: 'calls-per-ip' });
    const elsewhere = await requestFrom(
      '127.0.0.2',
      `${server.url}/v1/database/abuse/call/add_player`,
      'POST',
      { token: carol.token, body: '["from-elsewhere", 1, 0]', contentType: 'application/json' },
    );
    expect(elsewhere.status).toBe(200);
    clock.advance(1000);
    expect((await call(carol.token)).status).toBe(200);
  });

  it('limits identities minted per address: POST /v1/identity and anonymous requests', async () => {
    for (let i = 0; i < 5; i++) expect((await api.json('POST', '/v1/identity')).status).toBe(200);
    const over = await api.json('POST', '/v1/identity');
    expect(over.status).toBe(429);
    // 5 a minute: one more every 12 s.
    expect(over.headers.get('retry-after')).toBe('12');
    expect(errorOf(over.body)).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'identities-per-ip', flag: '--rate-limit-identities-per-ip', max: 5 },
    });
    // A call without a token would mint one: refused the same way, and nothing ran.
    const anonymous = await call(undefined);
    expect(anonymous.status).toBe(429);
    expect(anonymous.headers.get('spacetime-identity')).toBeNull();
    expect(errorOf(anonymous.body).details).toMatchObject({ limit: 'identities-per-ip' });
    // A caller with a token mints nothing and is not affected.
    expect((await call(alice.token)).status).toBe(200);
    const elsewhere = await requestFrom('127.0.0.2', `${server.url}/v1/identity`, 'POST');
    expect(elsewhere.status).toBe(200);
    clock.advance(12_000);
    expect((await api.json('POST', '/v1/identity')).status).toBe(200);
    expect((await api.json('POST', '/v1/identity')).status).toBe(429);
  });

  it('refuses a database over --max-databases-per-identity with 403; updates still work', async () => {
    const publish = (path: string, token: string) =>
      api.json('POST', path, { token, body: module });
    expect((await publish('/v1/database/abuse-two', alice.token)).status).toBe(200);
    for (const path of ['/v1/database/abuse-three', '/v1/database']) {
      const over = await publish(path, alice.token);
      expect(over.status).toBe(403);
      expect(over.headers.get('retry-after')).toBeNull();
      expect(errorOf(over.body)).toMatchObject({
        code: 'DATABASE_LIMIT',
        number: 1121,
        details: { limit: 'databases-per-identity', flag: '--max-databases-per-identity', max: 2 },
      });
    }
    expect((await api.json('GET', '/v1/database/abuse-three')).status).toBe(404);
    // Republishing a database alice owns creates nothing.
    expect((await publish('/v1/database/abuse-two', alice.token)).status).toBe(200);
    // A new database from an archive counts too.
    const archive = await api.request('GET', '/v1/database/abuse/archive', { token: alice.token });
    const bytes = new Uint8Array(await archive.arrayBuffer());
    const copy = await api.json('POST', '/v1/database/abuse-copy/archive', {
      token: alice.token,
      body: bytes,
    });
    expect([copy.status, errorOf(copy.body).code]).toEqual([403, 'DATABASE_LIMIT']);
    // Bob's databases are his own count.
    expect((await publish('/v1/database/abuse-bob', bob.token)).status).toBe(200);
    // Deleting one frees a slot.
    const del = await api.request('DELETE', '/v1/database/abuse-two', { token: alice.token });
    expect(del.status).toBe(200);
    expect((await publish('/v1/database/abuse-three', alice.token)).status).toBe(200);
  });
});
