import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer();
const api = client(server);
const alice = await api.newIdentity();
const mallory = await api.newIdentity();
const wasm = (name: string) => moduleBytes(name);
const callJson = (db: string, reducer: string, args: unknown, token?: string) =>
  api.json('POST', `/v1/database/${db}/call/${reducer}`, {
    body: JSON.stringify(args),
    contentType: 'application/json',
    ...(token === undefined ? {} : { token }),
  });

describe('HTTP /v1/database end to end', () => {
  it('publishes the three example modules by name', async () => {
    for (const name of ['quickstart', 'bank', 'chat']) {
      const res = await api.json('POST', `/v1/database/${name}`, {
        token: alice.token,
        body: wasm(name),
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        Success: {
          domain: name,
          database_identity: expect.stringMatching(/^c200[0-9a-f]{60}$/),
          op: 'created',
        },
      });
    }
  });

  it('publishes an unnamed database and says so in the seed shape', async () => {
    const res = await api.json('POST', '/v1/database', {
      token: alice.token,
      body: wasm('quickstart'),
    });
    expect(res.body).toEqual({
      Success: { domain: null, database_identity: expect.stringMatching(/^c200/), op: 'created' },
    });
  });

  it('republishing the same module is an update that keeps the data', async () => {
    expect((await callJson('quickstart', 'add', ['Alice'])).status).toBe(200);
    const res = await api.json('POST', '/v1/database/quickstart', {
      token: alice.token,
      body: wasm('quickstart'),
    });
    expect(res.body).toEqual({
      Success: { domain: 'quickstart', database_identity: expect.any(String), op: 'updated' },
    });
    await callJson('quickstart', 'say_hello', []);
    const logs = await api.json('GET', '/v1/database/quickstart/logs?num_lines=2', {
      token: alice.token,
    });
    expect(logs.status).toBe(200);
    expect(
      String(logs.body)
        .trim()
        .split('\n')
        .map(l => l.replace(/^\S+\s+INFO /, '')),
    ).toEqual(['say_hello: Hello, Alice!', 'say_hello: Hello, World!']);
  });

  it("refuses a publish over somebody else's database with PermissionDenied", async () => {
    const res = await api.json('POST', '/v1/database/bank', {
      token: mallory.token,
      body: wasm('bank'),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ PermissionDenied: { name: 'bank' } });
  });

  it('refuses an incompatible module with the reasons and the clear=true hint, and clear=true replaces it', async () => {
    const res = await api.json('POST', '/v1/database/quickstart', {
      token: alice.token,
      body: wasm('bank'),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'MIGRATION_REFUSED',
        message: expect.stringContaining('table person was removed'),
      },
    });
    const cleared = await api.json('POST', '/v1/database/quickstart?clear=true', {
      token: alice.token,
      body: wasm('quickstart'),
    });
    expect(cleared.body).toMatchObject({ Success: { op: 'updated' } });
  });

  it("calls reducers with JSON arguments and reports failures with the module's message", async () => {
    expect((await callJson('bank', 'seed', [100, 1000])).status).toBe(200);
    expect((await callJson('bank', 'transfer', [1, 2, 10])).status).toBe(200);
    expect((await callJson('bank', 'transfer', { from: 3, to: 4, amount: 5 })).status).toBe(200);
    const failed = await callJson('bank', 'transfer', [1, 2, 100000]);
    expect(failed.status).toBe(530);
    expect(failed.body).toEqual({
      error: {
        code: 'REDUCER_FAILED',
        number: 4002,
        message: 'insufficient_funds',
        details: { reducer: 'transfer' },
      },
    });
  });

  it('gives anonymous callers an identity in the response headers', async () => {
    const res = await callJson('chat', 'send_message', ['hello']);
    expect(res.status).toBe(200);
    expect(res.headers.get('spacetime-identity')).toMatch(/^c200[0-9a-f]{60}$/);
    expect(res.headers.get('spacetime-identity-token')).toMatch(/^ey/);
  });

  it('runs client_connected around HTTP calls, so set_name finds the user it created', async () => {
    expect((await callJson('chat', 'set_name', ['alice'], alice.token)).status).toBe(200);
    const bad = await callJson('chat', 'set_name', [''], alice.token);
    expect(bad.status).toBe(530);
    expect(bad.body).toMatchObject({
      error: { code: 'REDUCER_FAILED', message: 'Names must not be empty' },
    });
  });

  it('describes a database, its names and its identity', async () => {
    const info = await api.json('GET', '/v1/database/bank');
    expect(info.body).toEqual({
      database_identity: expect.stringMatching(/^c200/),
      owner_identity: alice.identity,
      host_type: 'wasm',
      initial_program: expect.stringMatching(/^[0-9a-f]{64}$/),
      module_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      names: ['bank'],
    });
    const identity = await api.json('GET', '/v1/database/bank/identity');
    expect(identity.body).toBe((info.body as { database_identity: string }).database_identity);
    expect((await api.json('GET', `/v1/database/${String(identity.body)}/names`)).body).toEqual({
      names: ['bank'],
    });
  });

  it('adds and replaces names (owner only)', async () => {
    const added = await api.json('POST', '/v1/database/bank/names', {
      token: alice.token,
      body: 'bank-two',
    });
    expect(added.body).toEqual({
      Success: { domain: 'bank-two', database_result: expect.stringMatching(/^c200/) },
    });
    expect((await api.json('GET', '/v1/database/bank-two/names')).body).toEqual({
      names: ['bank', 'bank-two'],
    });
    expect(
      (await api.json('POST', '/v1/database/bank/names', { token: mallory.token, body: 'stolen' }))
        .body,
    ).toEqual({ PermissionDenied: { domain: 'stolen' } });
    const bad = await api.json('POST', '/v1/database/bank/names', {
      token: alice.token,
      body: 'Bad--Name',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'NAME_INVALID' } });
    const put = await api.json('PUT', '/v1/database/bank/names', {
      token: alice.token,
      body: JSON.stringify(['bank']),
    });
    expect(put.body).toEqual({ Success: null });
    expect((await api.json('GET', '/v1/database/bank-two')).status).toBe(404);
    const taken = await api.json('PUT', '/v1/database/chat/names', {
      token: alice.token,
      body: JSON.stringify(['bank']),
    });
    expect(taken.status).toBe(409);
    expect(
      (
        await api.json('PUT', '/v1/database/bank/names', {
          token: mallory.token,
          body: '["x-y-z"]',
        })
      ).body,
    ).toEqual({ PermissionDenied: null });
  });

  it('serves the schema in the seed shape and hides private tables from others', async () => {
    const schema = await api.json('GET', '/v1/database/bank/schema?version=9');
    expect(schema.status).toBe(200);
    expect(Object.keys(schema.body as object)).toEqual([
      'typespace',
      'tables',
      'reducers',
      'types',
      'misc_exports',
      'row_level_security',
    ]);
    expect((schema.body as { tables: { name: string }[] }).tables.map(t => t.name)).toEqual([
      'accounts',
    ]);
    expect((await api.json('GET', '/v1/database/bank/schema')).status).toBe(400);
  });

  it('streams logs with follow=true until the database is deleted', async () => {
    const res = await api.request('GET', '/v1/database/quickstart/logs?num_lines=0&follow=true', {
      token: alice.token,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await callJson('quickstart', 'add', ['Zed']);
    await callJson('quickstart', 'say_hello', []);
    let received = '';
    for (let i = 0; i < 20 && !received.includes('Hello, World!'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    expect(received).toContain('say_hello: Hello, Zed!');
    const deleted = await api.request('DELETE', '/v1/database/quickstart', { token: alice.token });
    expect(deleted.status).toBe(200);
    let ended = false;
    for (let i = 0; i < 20 && !ended; i++) ended = (await reader.read()).done;
    expect(ended).toBe(true);
    expect((await api.json('GET', '/v1/database/quickstart')).status).toBe(404);
  });

  it('lists the databases an identity owns', async () => {
    const res = await api.json('GET', `/v1/identity/${alice.identity}/databases`);
    // bank, chat and the unnamed one (quickstart was deleted above).
    expect((res.body as { identities: string[] }).identities.length).toBe(3);
  });
});
