/** A real server on 127.0.0.1 and an ephemeral port, on a temporary data directory. */
import { SignJWT } from 'jose';
import { afterAll } from 'vitest';
import { loadOrCreateKeys } from '../../runtime/auth/index.js';
import type { Config } from '../../runtime/config.js';
import { silentLogger } from '../../runtime/log/index.js';
import { runServer, type RunningServer, type ServerOptions } from '../../runtime/main.js';
import { testConfig } from './engine.js';
import { lowSToken } from './low-s-token.js';

export async function testServer(
  overrides: Partial<Config> = {},
  options: ServerOptions = {},
): Promise<RunningServer> {
  const server = await runServer(
    testConfig({ host: '127.0.0.1', port: 0, ...overrides }),
    silentLogger,
    options,
  );
  afterAll(() => server.close());
  return server;
}

export interface Client {
  readonly url: string;
  request(
    method: string,
    path: string,
    options?: {
      token?: string;
      body?: string | Blob | Uint8Array;
      contentType?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Response>;
  json(
    method: string,
    path: string,
    options?: Parameters<Client['request']>[2],
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  newIdentity(): Promise<{ identity: string; token: string }>;
}

export function client(server: RunningServer): Client {
  const request: Client['request'] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    return fetch(server.url + path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body as string }),
    });
  };
  return {
    url: server.url,
    request,
    async json(method, path, options) {
      const res = await request(method, path, options);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Plain text body.
      }
      return { status: res.status, body, headers: res.headers };
    },
    async newIdentity() {
      const res = await request('POST', '/v1/identity');
      return (await res.json()) as { identity: string; token: string };
    },
  };
}

/** A token signed with the server's own key that expired a minute ago. */
export async function expiredToken(server: RunningServer): Promise<string> {
  const keys = await loadOrCreateKeys(server.config.dataDir);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(server.config.issuer)
    .setSubject('expired-user')
    .setAudience('wasmbase')
    .setIssuedAt(now - 120)
    .setExpirationTime(now - 60)
    .sign(keys.privateKey);
  return lowSToken(token);
}
