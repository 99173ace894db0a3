/** How reducer failures of every kind reach an HTTP caller, and private tables in the schema. */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer({ reducerTimeoutMs: 300, moduleMemoryBytes: 4 * 1024 * 1024 });
const api = client(server);
const owner = await api.newIdentity();
const other = await api.newIdentity();
const published = await api.json('POST', '/v1/database/edge', {
  token: owner.token,
  body: moduleBytes('fixtures/edge'),
});
const call = (reducer: string, args: unknown = []) =>
  api.json('POST', `/v1/database/edge/call/${reducer}`, {
    token: owner.token,
    body: JSON.stringify(args),
    contentType: 'application/json',
  });
const sql = (text: string, token: string) =>
  api.json('POST', '/v1/database/edge/sql', { token, body: text });

describe('reducer outcomes over HTTP', () => {
  it('publishes the edge fixture', () => {
    expect(published.status).toBe(200);
  });

  it('a returned error is 530 REDUCER_FAILED with the module message, and its writes are gone', async () => {
    const res = await call('insert_then_fail', ['gone']);
    expect(res.status).toBe(530);
    expect(res.body).toEqual({
      error: {
        code: 'REDUCER_FAILED',
        number: 4002,
        message: 'failed on purpose after inserting gone',
        details: { reducer: 'insert_then_fail' },
      },
    });
    const rows = await sql("SELECT * FROM item WHERE code = 'gone'", owner.token);
    expect((rows.body as { rows: unknown[] }[])[0]!.rows).toEqual([]);
  });

  it('a trap is 530 REDUCER_TRAPPED and an abort carries its message', async () => {
    const trapped = await call('trap');
    expect(trapped.status).toBe(530);
    expect(trapped.body).toMatchObject({ error: { code: 'REDUCER_TRAPPED' } });
    const aborted = await call('panic', ['something broke']);
    expect(aborted.status).toBe(530);
    expect(aborted.body).toMatchObject({
      error: { message: expect.stringContaining('something broke') },
    });
  });

  it('an endless loop is 504 REDUCER_TIMEOUT, and the database keeps serving', async () => {
    const res = await call('loop_forever');
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ error: { code: 'REDUCER_TIMEOUT' } });
    expect((await call('add_item', ['after-timeout', 1])).status).toBe(200);
  }, 30_000);

  it('running out of module memory is 530 REDUCER_OUT_OF_MEMORY (or a trap), never a 5xx of the server', async () => {
    const res = await call('allocate_forever');
    expect(res.status).toBe(530);
    expect(['REDUCER_OUT_OF_MEMORY', 'REDUCER_TRAPPED']).toContain(
      (res.body as { error: { code: string } }).error.code,
    );
    expect((await call('add_item', ['after-oom', 1])).status).toBe(200);
  }, 30_000);

  it("private tables are in the owner's schema only", async () => {
    const tables = async (token?: string) =>
      (
        (
          await api.json(
            'GET',
            '/v1/database/edge/schema?version=9',
            token === undefined ? {} : { token },
          )
        ).body as { tables: { name: string }[] }
      ).tables.map(t => t.name);
    expect(await tables(owner.token)).toEqual(['everything', 'item']);
    expect(await tables(other.token)).toEqual(['everything']);
    expect(await tables()).toEqual(['everything']);
  });
});

describe('POST /v1/database/:name/sql', () => {
  it('answers SELECTs in the seed shape', async () => {
    const res = await sql("SELECT code, group FROM item WHERE code = 'after-timeout'", owner.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('spacetime-execution-duration-micros')).toMatch(/^\d+$/);
    const [first] = res.body as {
      schema: unknown;
      rows: unknown[];
      total_duration_micros: number;
      stats: unknown;
    }[];
    expect(first!.rows).toEqual([['after-timeout', 1]]);
    expect(first!.schema).toEqual({
      elements: [
        { name: { some: 'code' }, algebraic_type: { String: [] } },
        { name: { some: 'group' }, algebraic_type: { U32: [] } },
      ],
    });
    expect(first!.stats).toEqual({ rows_inserted: 0, rows_deleted: 0, rows_updated: 0 });
  });

  it('hides private tables from others and refuses their DML', async () => {
    const hidden = await sql('SELECT * FROM item', other.token);
    expect(hidden.status).toBe(400);
    expect(hidden.body).toMatchObject({ error: { code: 'SQL_UNKNOWN_NAME' } });
    const dml = await sql('DELETE FROM everything', other.token);
    expect(dml.status).toBe(401);
    expect(dml.body).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
  });

  it('lets the owner run DML through the commit path', async () => {
    const res = await sql(
      "INSERT INTO item (id, code, group) VALUES (900, 'via-sql', 9)",
      owner.token,
    );
    expect(res.status).toBe(200);
    expect((res.body as { stats: { rows_inserted: number } }[])[0]!.stats.rows_inserted).toBe(1);
    const back = await sql('SELECT code FROM item WHERE group = 9', owner.token);
    expect((back.body as { rows: unknown[] }[])[0]!.rows).toEqual([['via-sql']]);
  });

  it('gives anonymous callers an identity and the public tables', async () => {
    const res = await api.json('POST', '/v1/database/edge/sql', {
      body: 'SELECT COUNT(*) AS n FROM everything',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('spacetime-identity')).toMatch(/^c200/);
    expect((res.body as { rows: unknown[] }[])[0]!.rows).toEqual([[0]]);
  });

  it('refuses syntax errors with their position, and oversize text naming --max-sql-bytes', async () => {
    const bad = await sql('SELEC * FROM item', owner.token);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'SQL_SYNTAX' } });
    const big = await sql(
      `SELECT * FROM item WHERE code = '${'x'.repeat(server.config.maxSqlBytes)}'`,
      owner.token,
    );
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({
      error: { code: 'BODY_TOO_LARGE', message: expect.stringContaining('(--max-sql-bytes)') },
    });
  });
});
