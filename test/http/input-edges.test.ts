/** Input edge cases that once answered 500 or the wrong thing (issue 12, defect 4). */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer();
const api = client(server);
const owner = await api.newIdentity();
await api.json('POST', '/v1/database/edge', {
  token: owner.token,
  body: moduleBytes('fixtures/edge'),
});
const LONG = 'a'.repeat(5000);

describe('over-long database names', () => {
  const routes: [string, string][] = [
    ['GET', `/v1/database/${LONG}`],
    ['POST', `/v1/database/${LONG}`],
    ['DELETE', `/v1/database/${LONG}`],
    ['GET', `/v1/database/${LONG}/names`],
    ['GET', `/v1/database/${LONG}/identity`],
    ['POST', `/v1/database/${LONG}/call/add`],
    ['GET', `/v1/database/${LONG}/schema?version=9`],
    ['GET', `/v1/database/${LONG}/logs`],
    ['POST', `/v1/database/${LONG}/sql`],
    ['GET', `/v1/database/a${'b'.repeat(64)}`],
  ];
  const named = routes.map(([m, p]) => [`${m} ${p.replace(/[ab]{65,}/, '<long>')}`, m, p]);
  it.each(named)('%s answers 400 NAME_INVALID stating the maximum', async (_l, method, path) => {
    const body = method === 'POST' && !path.endsWith('/sql') ? moduleBytes('quickstart') : 'x';
    const options = method === 'GET' ? { token: owner.token } : { token: owner.token, body };
    const res = await api.json(method, path, options);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'NAME_INVALID', message: expect.stringContaining('at most 64 characters') },
    });
  });

  it('a 64-character unknown name is still a plain 404', async () => {
    const res = await api.json('GET', `/v1/database/a${'b'.repeat(63)}`);
    expect(res.status).toBe(404);
  });
});

const call = (reducer: string, body: string) =>
  api.json('POST', `/v1/database/edge/call/${reducer}`, {
    token: owner.token,
    body,
    contentType: 'application/json',
  });

describe('reducer arguments', () => {
  it('refuses JSON nested thousands deep with 400, naming the limit', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await call('add_item', `[${deep}, 1]`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'INVALID_JSON', message: expect.stringContaining('deeper than 64 levels') },
    });
  });

  it('does not count brackets inside strings', async () => {
    const res = await call('insert_then_fail', JSON.stringify(['['.repeat(500)]));
    expect(res.status).not.toBe(400);
  });
});

describe('strict integers', () => {
  const cases: [string, string, string][] = [
    ['a decimal string', '["x", "5"]', 'args.group: expected u32, got "5"'],
    ['a hex string', '["x", "0x10"]', 'args.group: expected u32, got "0x10"'],
    ['1e999', '["x", 1e999]', 'args.group: expected u32, got a number out of range'],
    ['a fraction', '["x", 1.5]', 'args.group: expected u32, got 1.5'],
  ];
  it.each(cases)('refuses %s for a u32, saying what was expected', async (_n, body, message) => {
    const res = await call('add_item', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message } });
  });

  it('refuses "0x10" for a u64 too, and still accepts a decimal string there', async () => {
    const hex = await call('report_items', '[1, 2, "0x10"]');
    expect(hex.status).toBe(400);
    expect((await call('add_item', '["strict-ok", 7]')).status).toBe(200);
  });
});

describe('SQL literal longer than the key limit', () => {
  it('compared with an indexed (unique) column, it matches nothing', async () => {
    const long = 'x'.repeat(3000);
    for (const where of [`code = '${long}'`, `group = 1 AND code = '${long}'`]) {
      const res = await api.json('POST', '/v1/database/edge/sql', {
        token: owner.token,
        body: `SELECT * FROM item WHERE ${where}`,
      });
      expect([where.slice(0, 20), res.status]).toEqual([where.slice(0, 20), 200]);
      expect((res.body as { rows: unknown[] }[])[0]!.rows).toEqual([]);
    }
  });
});
