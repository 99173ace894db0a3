/** Log streams (follower limit, client leaving, server closing), chunked bodies, ping, CORS. */
import { describe, expect, it } from 'vitest';
import { runServer } from '../../runtime/main.js';
import { silentLogger } from '../../runtime/log/index.js';
import { testConfig } from '../helpers/engine.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer({ maxLogFollowers: 2, maxBodyBytes: 1024 });
const api = client(server);
const owner = await api.newIdentity();
await api.json('POST', '/v1/database/quickstart', {
  token: owner.token,
  body: moduleBytes('quickstart'),
});
const follow = (signal?: AbortSignal) =>
  fetch(`${server.url}/v1/database/quickstart/logs?num_lines=0&follow=true`, {
    headers: { authorization: `Bearer ${owner.token}` },
    ...(signal === undefined ? {} : { signal }),
  });

/** Reads a streamed body until `done` holds or the stream ends (bounded). */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<{ text: string; ended: boolean }> {
  let text = '';
  for (let i = 0; i < 50; i++) {
    const chunk = await reader.read();
    if (chunk.done) return { text, ended: true };
    text += new TextDecoder().decode(chunk.value);
    if (done(text)) return { text, ended: false };
  }
  return { text, ended: false };
}

describe('log follow streams', () => {
  it('are limited per database, and a follower that leaves frees its slot', async () => {
    const first = new AbortController();
    const a = await follow(first.signal);
    const b = await follow();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(a.headers.get('cache-control')).toBe('no-cache');
    const third = await api.json('GET', '/v1/database/quickstart/logs?follow=true', {
      token: owner.token,
    });
    expect(third.status).toBe(400);
    expect(third.body).toMatchObject({
      error: {
        code: 'LIMIT_EXCEEDED',
        message: expect.stringContaining('2 log followers (--max-log-followers)'),
      },
    });
    // Without follow there is no limit.
    expect(
      (await api.json('GET', '/v1/database/quickstart/logs', { token: owner.token })).status,
    ).toBe(200);

    first.abort();
    await a.body?.cancel().catch(() => undefined);
    // The server sees the disconnect asynchronously: retry a bounded number of times.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const again = await follow();
      status = again.status;
      if (status === 200) await again.body!.cancel();
      else await new Promise(r => setTimeout(r, 20));
    }
    expect(status).toBe(200);
    await b.body!.cancel();
  });

  it('deliver the tail, then new lines as they are written', async () => {
    await api.json('POST', '/v1/database/quickstart/call/add', {
      body: '["Tail"]',
      contentType: 'application/json',
    });
    await api.json('POST', '/v1/database/quickstart/call/say_hello', {
      body: '[]',
      contentType: 'application/json',
    });
    const res = await fetch(`${server.url}/v1/database/quickstart/logs?num_lines=1&follow=true`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const reader = res.body!.getReader();
    const tail = await readUntil(reader, t => t.includes('\n'));
    expect(tail.text).toMatch(/INFO say_hello: Hello, World!\n$/);
    await api.json('POST', '/v1/database/quickstart/call/say_hello', {
      body: '[]',
      contentType: 'application/json',
    });
    const next = await readUntil(reader, t => t.includes('Hello, World!'));
    expect(next.text).toContain('say_hello: Hello, Tail!');
    await reader.cancel();
  });

  it('end cleanly when the server closes', async () => {
    const own = await runServer(testConfig({ host: '127.0.0.1', port: 0 }), silentLogger);
    const ownApi = client(own);
    const id = await ownApi.newIdentity();
    await ownApi.json('POST', '/v1/database/quickstart', {
      token: id.token,
      body: moduleBytes('quickstart'),
    });
    const res = await fetch(`${own.url}/v1/database/quickstart/logs?follow=true`, {
      headers: { authorization: `Bearer ${id.token}` },
    });
    const reader = res.body!.getReader();
    await readUntil(reader, t => t.length > 0);
    await own.close();
    const rest = await readUntil(reader, () => false);
    expect(rest.ended).toBe(true);
  });
});

describe('bodies', () => {
  it('a chunked body without Content-Length is cut off at the limit with 413', async () => {
    const chunks = 20;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks; i++)
          controller.enqueue(
            new TextEncoder().encode(i === 0 ? '[' + '1,'.repeat(50) : '1,'.repeat(50)),
          );
        controller.enqueue(new TextEncoder().encode('1]'));
        controller.close();
      },
    });
    const res = await fetch(`${server.url}/v1/database/quickstart/call/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { code: 'BODY_TOO_LARGE', details: { limit: 1024 } },
    });
    // The server keeps answering.
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
  });

  it('a declared Content-Length over the limit is refused before the body is read', async () => {
    const res = await api.json('PUT', '/v1/database/quickstart/names', {
      token: owner.token,
      body: JSON.stringify(['x'.repeat(2000)]),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      error: { message: 'request body is 2004 bytes; the limit is 1024 bytes (--max-body-bytes)' },
    });
  });
});

describe('paths', () => {
  it('a malformed percent-encoding in a path parameter is 400, not a crash', async () => {
    const res = await api.json('GET', '/v1/database/%E0%A4%A/names');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'BAD_REQUEST',
        message: 'the name_or_identity part of the path is not valid percent-encoding',
      },
    });
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
  });
});

describe('ping and CORS', () => {
  it('ping is 200 without a token or with a valid one, 401 with a bad one', async () => {
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
    expect((await api.request('GET', '/v1/ping', { token: owner.token })).status).toBe(200);
    const bad = await api.json('GET', '/v1/ping', { token: 'nonsense' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
  });

  it('answers preflights and puts CORS headers on every answer, errors included', async () => {
    const preflight = await api.request('OPTIONS', '/v1/database/quickstart/call/add', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Accept, Content-Type',
    );
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const error = await api.request('GET', '/v1/database/nothing-here');
    expect(error.status).toBe(404);
    expect(error.headers.get('access-control-allow-origin')).toBe('*');
    expect(error.headers.get('access-control-expose-headers')).toContain(
      'spacetime-identity-token',
    );
  });
});
