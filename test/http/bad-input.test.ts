import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, expiredToken, testServer } from '../helpers/server.js';

const server = await testServer({ maxBodyBytes: 1024, maxModuleBytes: 256 * 1024 });
const api = client(server);
const owner = await api.newIdentity();
const other = await api.newIdentity();
await api.json('POST', '/v1/database/bank', { token: owner.token, body: moduleBytes('bank') });

const foreignKey = await generateKeyPair('ES256');
const foreignToken = await new SignJWT({})
  .setProtectedHeader({ alg: 'ES256' })
  .setIssuer('wasmbase://localhost')
  .setSubject('x')
  .setAudience('wasmbase')
  .setIssuedAt()
  .sign(foreignKey.privateKey);
const hsToken = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer('wasmbase://localhost')
  .setSubject('x')
  .setAudience('wasmbase')
  .sign(new TextEncoder().encode('secret-secret-secret-secret-secret!'));
const tamperedToken = await (async () => {
  const { token } = (await (
    await api.request('POST', '/v1/identity/websocket-token', { token: owner.token })
  ).json()) as { token: string };
  const [h, , s] = token.split('.');
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    number
  >;
  payload['exp'] = payload['iat']! - 10;
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
})();

const TOKENS: Record<string, { token: string; status: number; code: string }> = {
  garbage: { token: 'not-a-jwt', status: 401, code: 'TOKEN_INVALID' },
  foreign: { token: foreignToken, status: 401, code: 'TOKEN_INVALID' },
  hs256: { token: hsToken, status: 401, code: 'TOKEN_INVALID' },
  tampered: { token: tamperedToken, status: 401, code: 'TOKEN_INVALID' },
};

describe('bad input never crashes the server and always gets a structured error', () => {
  it.each(Object.entries(TOKENS))(
    'a %s token is refused on owner routes',
    async (_name, { token, status, code }) => {
      for (const [method, path] of [
        ['DELETE', '/v1/database/bank'],
        ['GET', '/v1/database/bank/logs'],
        ['POST', '/v1/identity/websocket-token'],
      ] as const) {
        const res = await api.json(method, path, { token });
        expect([method, path, res.status]).toEqual([method, path, status]);
        expect(res.body).toMatchObject({ error: { code } });
      }
    },
  );

  it('an expired token says it expired', async () => {
    const res = await api.json('POST', '/v1/identity/websocket-token', {
      token: await expiredToken(server),
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      error: { code: 'TOKEN_EXPIRED', message: 'the token has expired; get a new one' },
    });
  });

  it('a missing token on an owner route is 401 with a hint', async () => {
    const res = await api.json('DELETE', '/v1/database/bank');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('POST /v1/identity') },
    });
  });

  it('a non-owner cannot delete or read logs', async () => {
    expect(
      (await api.json('DELETE', '/v1/database/bank', { token: other.token })).body,
    ).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
    expect((await api.json('GET', '/v1/database/bank/logs', { token: other.token })).status).toBe(
      401,
    );
  });

  it('unknown databases, reducers and routes are 404', async () => {
    expect((await api.json('GET', '/v1/database/nope-nope')).body).toMatchObject({
      error: { code: 'DATABASE_NOT_FOUND' },
    });
    expect(
      (
        await api.json('POST', '/v1/database/bank/call/nope', {
          body: '[]',
          contentType: 'application/json',
        })
      ).body,
    ).toMatchObject({ error: { code: 'REDUCER_NOT_FOUND' } });
    expect((await api.json('GET', '/v1/nothing-here')).body).toMatchObject({
      error: { code: 'ROUTE_NOT_FOUND' },
    });
  });

  it('malformed JSON, wrong arity, wrong types and out-of-range numbers name the problem', async () => {
    const call = (body: string) =>
      api.json('POST', '/v1/database/bank/call/transfer', {
        body,
        contentType: 'application/json',
      });
    expect((await call('[1, 2')).body).toMatchObject({ error: { code: 'INVALID_JSON' } });
    expect((await call('[1, 2]')).body).toMatchObject({
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'reducer transfer(from: u32, to: u32, amount: i64) takes 3 arguments, got 2',
      },
    });
    expect((await call('["a", 2, 3]')).body).toMatchObject({
      error: { message: 'args.from: expected u32, got "a"' },
    });
    expect((await call('[-1, 2, 3]')).body).toMatchObject({
      error: { message: 'args.from: -1 is out of range for u32 (0..4294967295)' },
    });
    expect((await call('{"from": 1}')).body).toMatchObject({
      error: { message: 'args: missing field "to" (u32)' },
    });
    expect((await call('"text"')).status).toBe(400);
  });

  it('lifecycle reducers cannot be called', async () => {
    await api.json('POST', '/v1/database/chat', { token: owner.token, body: moduleBytes('chat') });
    const res = await api.json('POST', '/v1/database/chat/call/client_connected', {
      body: '[]',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'LIFECYCLE_NOT_CALLABLE' } });
  });

  it('the wrong content type is 415', async () => {
    const res = await api.json('POST', '/v1/database/bank/call/transfer', {
      body: '[1,2,3]',
      contentType: 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('oversize bodies are 413 naming the limit and its flag', async () => {
    const call = await api.json('POST', '/v1/database/bank/call/transfer', {
      body: `[${'1,'.repeat(2000)}1]`,
      contentType: 'application/json',
    });
    expect(call.status).toBe(413);
    expect(call.body).toMatchObject({
      error: {
        code: 'BODY_TOO_LARGE',
        message: expect.stringContaining('1024 bytes (--max-body-bytes)'),
      },
    });
    const publish = await api.json('POST', '/v1/database/big', {
      token: owner.token,
      body: new Uint8Array(300 * 1024),
    });
    expect(publish.status).toBe(413);
    expect(publish.body).toMatchObject({
      error: { message: expect.stringContaining('--max-module-bytes') },
    });
  });

  it('garbage modules are 400 MODULE_INVALID, and the server keeps answering', async () => {
    for (const body of [
      new Uint8Array(0),
      new TextEncoder().encode('\0asm garbage'),
      Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 99),
    ]) {
      const res = await api.json('POST', '/v1/database/junk', { token: owner.token, body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'MODULE_INVALID' } });
    }
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
  });

  it('bad names and bad query parameters are 400', async () => {
    expect(
      (
        await api.json('POST', '/v1/database/No_Caps', {
          token: owner.token,
          body: moduleBytes('bank'),
        })
      ).body,
    ).toMatchObject({ error: { code: 'NAME_INVALID' } });
    expect(
      (
        await api.json('POST', '/v1/database/bank?clear=maybe', {
          token: owner.token,
          body: moduleBytes('bank'),
        })
      ).body,
    ).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(
      (await api.json('GET', '/v1/database/bank/logs?num_lines=-3', { token: owner.token })).status,
    ).toBe(400);
    expect(
      (await api.json('GET', '/v1/database/bank/logs?num_lines=99999999', { token: owner.token }))
        .body,
    ).toMatchObject({ error: { code: 'LIMIT_EXCEEDED' } });
  });
});

describe('identity routes', () => {
  it('mints identities whose tokens verify against the published key', async () => {
    const pem = await api.request('GET', '/v1/identity/public-key');
    expect(pem.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(await pem.text()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(
      (await api.request('GET', `/v1/identity/${owner.identity}/verify`, { token: owner.token }))
        .status,
    ).toBe(204);
    expect(
      (await api.json('GET', `/v1/identity/${other.identity}/verify`, { token: owner.token }))
        .status,
    ).toBe(400);
    expect((await api.json('GET', `/v1/identity/${owner.identity}/verify`)).status).toBe(401);
    expect((await api.json('GET', '/v1/identity/xyz/verify', { token: owner.token })).status).toBe(
      400,
    );
  });

  it('websocket tokens are short-lived tokens of the same identity', async () => {
    const res = await api.json('POST', '/v1/identity/websocket-token', { token: owner.token });
    const token = (res.body as { token: string }).token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
      iat: number;
      hex_identity: string;
    };
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.hex_identity).toBe(owner.identity);
  });
});
