/**
 * Disk use and online compaction: deletes leave free pages (reported by `/stats`), and
 * `/compact` gives them back while calls keep arriving; no acknowledged row is lost.
 */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer();
const http = client(server);
const owner = await http.newIdentity();
const other = await http.newIdentity();

interface DiskUse {
  fileBytes: number;
  usedPages: number;
  livePages: number;
  freePages: number;
}

async function addItems(from: number, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const res = await http.request('POST', '/v1/database/compact-db/call/add_item', {
        token: owner.token,
        body: JSON.stringify([`code-${from + i}-${'x'.repeat(400)}`, from + i]),
        contentType: 'application/json',
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

async function stats(): Promise<DiskUse> {
  const res = await http.json('GET', '/v1/database/compact-db/stats', { token: owner.token });
  expect(res.status).toBe(200);
  return (res.body as { disk: DiskUse }).disk;
}

describe('disk use and compaction', () => {
  it('reports free pages after deletes and compacts them away while serving', async () => {
    const pub = await http.json('POST', '/v1/database/compact-db', {
      token: owner.token,
      body: moduleBytes('fixtures/edge'),
    });
    expect(pub.status).toBe(200);
    for (let round = 0; round < 4; round++)
      expect((await addItems(round * 250, 250)).every(s => s === 200)).toBe(true);
    const sql = await http.json('POST', '/v1/database/compact-db/sql', {
      token: owner.token,
      body: 'DELETE FROM item WHERE group >= 10',
    });
    expect(sql.status).toBe(200);
    const grown = await stats();
    expect(grown.freePages).toBeGreaterThan(50);
    expect(grown.livePages + grown.freePages).toBe(grown.usedPages);

    const load = addItems(5000, 50);
    const res = await http.json('POST', '/v1/database/compact-db/compact', { token: owner.token });
    expect(res.status).toBe(200);
    expect((await load).every(s => s === 200)).toBe(true);
    const { before, after } = res.body as { before: DiskUse; after: DiskUse };
    expect(after.fileBytes).toBeLessThan(before.fileBytes);
    expect(after.freePages).toBeLessThan(before.freePages);

    const count = await http.json('POST', '/v1/database/compact-db/sql', {
      token: owner.token,
      body: 'SELECT COUNT(*) AS n FROM item',
    });
    expect(JSON.stringify(count.body)).toContain('60');
    expect((await addItems(9000, 5)).every(s => s === 200)).toBe(true);
  });

  it('is owner only', async () => {
    const a = await http.json('POST', '/v1/database/compact-db/compact', { token: other.token });
    const b = await http.json('GET', '/v1/database/compact-db/stats', { token: other.token });
    expect([a.status, b.status]).toEqual([401, 401]);
  });
});
