/**
 * Byte limits of results on a real server (issue 12, defect 2): `/sql` (--sql-max-result-bytes),
 * WebSocket one-off queries (--ws-max-query-bytes) and initial subscription rows
 * (--ws-max-subscribe-bytes), over v1 and v2. Each limit is set to the exact size of 100 rows of
 * the `team` table: 100 rows are answered in full, 101 get the structured error naming the
 * flag, and `/v1/ping` answers during and after an oversized request.
 */
import { describe, expect, it } from 'vitest';
import { WS_PROTOCOL_V2_BSATN, type ServerMessage } from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { openWs, type TestWsClient } from '../helpers/ws-client.js';
import { openV2 } from '../helpers/ws-v2-client.js';

const ROWS = 150;
const ALLOWED = 100;
const teamName = (id: number) => 't' + String(id).padStart(9, '0');
/** A `team` row in BSATN: u32 id, then the name as u32 length + 10 bytes. */
const BSATN_ROW_BYTES = 4 + 4 + 10;
/** The JSON of rows 1..k as `/sql` writes them: `[id,"name"]` joined by commas. */
const jsonRowBytes = (k: number) => {
  let n = k - 1;
  for (let id = 1; id <= k; id++) n += JSON.stringify([id, teamName(id)]).length;
  return n;
};

const server = await testServer({
  sqlMaxResultBytes: jsonRowBytes(ALLOWED),
  wsMaxQueryBytes: BSATN_ROW_BYTES * ALLOWED,
  wsMaxSubscribeBytes: BSATN_ROW_BYTES * ALLOWED,
});
const api = client(server);
const owner = await api.newIdentity();
const published = await api.json('POST', '/v1/database/limits', {
  token: owner.token,
  body: moduleBytes('fixtures/ws'),
});
const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, '${teamName(i + 1)}')`);
const filled = await api.json('POST', '/v1/database/limits/sql', {
  token: owner.token,
  body: `INSERT INTO team (id, name) VALUES ${values.join(', ')}`,
});

/** The v1 client's next message, which must be a `tag`. */
async function nextOf<T extends ServerMessage['tag']>(c: TestWsClient, tag: T) {
  const m = await c.next();
  expect(m.tag).toBe(tag);
  return m as ServerMessage & { tag: T };
}

const upTo = (k: number) => `SELECT * FROM team WHERE id <= ${k}`;
const ping = async () => (await api.request('GET', '/v1/ping')).status;

describe('setup', () => {
  it('published the fixture and filled the team table', () => {
    expect(published.status).toBe(200);
    expect(filled.status).toBe(200);
  });
});

describe('/sql: --sql-max-result-bytes', () => {
  it('answers a result of exactly the limit in full', async () => {
    const res = await api.json('POST', '/v1/database/limits/sql', { body: upTo(ALLOWED) });
    expect(res.status).toBe(200);
    const [statement] = res.body as { rows: unknown[][] }[];
    expect(statement!.rows.length).toBe(ALLOWED);
    expect(statement!.rows[99]).toEqual([100, teamName(100)]);
  });

  it('answers 413 RESULT_TOO_LARGE naming the flag one row over, and keeps serving', async () => {
    const [res, during] = await Promise.all([
      api.json('POST', '/v1/database/limits/sql', { body: upTo(ALLOWED + 1) }),
      ping(),
    ]);
    expect(res.status).toBe(413);
    const { error } = res.body as { error: { code: string; message: string; details: object } };
    expect(error.code).toBe('RESULT_TOO_LARGE');
    expect(error.message).toContain('--sql-max-result-bytes');
    expect(error.details).toEqual({ limit: jsonRowBytes(ALLOWED), flag: 'sql-max-result-bytes' });
    expect(during).toBe(200);
    expect(await ping()).toBe(200);
  });

  it('counts every statement of a request against one limit', async () => {
    const sql = `${upTo(50)}; SELECT * FROM team WHERE id > 50 AND id <= 101`;
    const res = await api.json('POST', '/v1/database/limits/sql', { body: sql });
    expect(res.status).toBe(413);
  });
});

describe('WebSocket v1', () => {
  it('one-off query: all rows at the limit, the error naming the flag past it', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await nextOf(c, 'IdentityToken');
    c.send({ tag: 'OneOffQuery', messageId: Uint8Array.of(1), queryString: upTo(ALLOWED) });
    const ok = await nextOf(c, 'OneOffQueryResponse');
    expect(ok.error).toBeUndefined();
    expect(ok.tables[0]!.rows.length).toBe(ALLOWED);
    c.send({ tag: 'OneOffQuery', messageId: Uint8Array.of(2), queryString: upTo(ALLOWED + 1) });
    const [bad, during] = await Promise.all([nextOf(c, 'OneOffQueryResponse'), ping()]);
    expect(bad.error).toContain('--ws-max-query-bytes');
    expect(bad.tables).toEqual([]);
    expect(during).toBe(200);
    c.close();
  });

  it('subscribe: rows at the limit, SubscriptionError past it, counted per request', async () => {
    const c = await openWs(server.url, 'limits', { token: owner.token });
    await nextOf(c, 'IdentityToken');
    c.send({ tag: 'SubscribeSingle', query: upTo(ALLOWED), requestId: 1, queryId: 1 });
    const ok = await nextOf(c, 'SubscribeApplied');
    expect(ok.rows.tableRows.updates[0]!.inserts.length).toBe(ALLOWED);
    c.send({ tag: 'SubscribeSingle', query: upTo(ALLOWED + 1), requestId: 2, queryId: 2 });
    const bad = await nextOf(c, 'SubscriptionError');
    expect(bad).toMatchObject({ requestId: 2, queryId: 2 });
    expect(bad.error).toContain('--ws-max-subscribe-bytes');
    const two = [upTo(50), 'SELECT * FROM team WHERE id > 50 AND id <= 101'];
    c.send({ tag: 'SubscribeMulti', queryStrings: two, requestId: 3, queryId: 3 });
    expect((await nextOf(c, 'SubscriptionError')).error).toContain('--ws-max-subscribe-bytes');
    // The refused sets were never subscribed: a set of the same number can be made.
    c.send({ tag: 'SubscribeSingle', query: upTo(3), requestId: 4, queryId: 2 });
    const later = await nextOf(c, 'SubscribeApplied');
    expect(later.rows.tableRows.updates[0]!.inserts.length).toBe(3);
    expect(await ping()).toBe(200);
    c.close();
  });
});

describe('WebSocket v2', () => {
  const open = async () => {
    const c = await openV2(server.url, 'limits', {
      protocol: WS_PROTOCOL_V2_BSATN,
      token: owner.token,
    });
    await c.next('InitialConnection');
    return c;
  };

  it('one-off query: all rows at the limit, Err naming the flag past it', async () => {
    const c = await open();
    c.send({ tag: 'OneOffQuery', requestId: 1, queryString: upTo(ALLOWED) });
    const ok = await c.next('OneOffQueryResult');
    expect(ok.result.tag === 'Ok' && ok.result.rows.tables[0]!.rows.length).toBe(ALLOWED);
    c.send({ tag: 'OneOffQuery', requestId: 2, queryString: upTo(ALLOWED + 1) });
    const [bad, during] = await Promise.all([c.next('OneOffQueryResult'), ping()]);
    expect(bad.result.tag).toBe('Err');
    expect(bad.result.tag === 'Err' && bad.result.message).toContain('--ws-max-query-bytes');
    expect(during).toBe(200);
    c.socket.close();
  });

  it('subscribe: rows at the limit, SubscriptionError naming the flag past it', async () => {
    const c = await open();
    c.send({ tag: 'Subscribe', requestId: 1, querySetId: 1, queryStrings: [upTo(ALLOWED)] });
    const ok = await c.next('SubscribeApplied');
    expect(ok.rows.tables[0]!.rows.length).toBe(ALLOWED);
    c.send({ tag: 'Subscribe', requestId: 2, querySetId: 2, queryStrings: [upTo(ALLOWED + 1)] });
    const bad = await c.next('SubscriptionError');
    expect(bad).toMatchObject({ requestId: 2, querySetId: 2 });
    expect(bad.error).toContain('--ws-max-subscribe-bytes');
    expect(await ping()).toBe(200);
    c.socket.close();
  });
});
