/** A `/sql` request with DML is one transaction: all of its statements take effect, or none. */
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
const sql = (text: string) =>
  api.json('POST', '/v1/database/edge/sql', { token: owner.token, body: text });
type Result = { rows: unknown[][]; stats: { rows_inserted: number; rows_deleted: number } };
const codes = async () =>
  ((await sql('SELECT code FROM item')).body as Result[])[0]!.rows.map(r => r[0]).sort();

describe('multi-statement SQL DML', () => {
  it('commits every statement of a request that succeeds', async () => {
    const res = await sql(
      "INSERT INTO item (id, code, group) VALUES (1, 'a', 1); " +
        "INSERT INTO item (id, code, group) VALUES (2, 'b', 1); " +
        "DELETE FROM item WHERE code = 'a'",
    );
    expect(res.status).toBe(200);
    const stats = (res.body as Result[]).map(r => r.stats);
    expect(stats.map(s => s.rows_inserted)).toEqual([1, 1, 0]);
    expect(stats.map(s => s.rows_deleted)).toEqual([0, 0, 1]);
    expect(await codes()).toEqual(['b']);
  });

  it('rolls back the earlier statements when a later one fails, and says so', async () => {
    const res = await sql(
      "INSERT INTO item (id, code, group) VALUES (10, 'c', 2); " +
        "DELETE FROM item WHERE code = 'b'; " +
        "INSERT INTO item (id, code, group) VALUES (11, 'c', 2)",
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'UNIQUE_VIOLATION',
        message: expect.stringContaining(
          "statement 3 of 3 failed, so the request's transaction was rolled back",
        ),
        details: { statement: 3 },
      },
    });
    // Neither the first INSERT nor the DELETE took effect.
    expect(await codes()).toEqual(['b']);
  });

  it('lets a SELECT in the same request see the writes before it', async () => {
    const res = await sql(
      "INSERT INTO item (id, code, group) VALUES (20, 'd', 3); " +
        'SELECT code FROM item WHERE group = 3',
    );
    expect(res.status).toBe(200);
    expect((res.body as Result[])[1]!.rows).toEqual([['d']]);
    expect(await codes()).toEqual(['b', 'd']);
  });

  it("keeps a single failing statement's error as it was", async () => {
    const res = await sql("INSERT INTO item (id, code, group) VALUES (30, 'b', 1)");
    expect(res.status).toBe(400);
    const error = (res.body as { error: { message: string; details?: unknown } }).error;
    expect(error.message).not.toContain('statement 1 of 1');
  });
});
