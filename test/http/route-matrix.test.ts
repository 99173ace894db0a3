/**
 * Every route × every kind of bad input that applies to it, with the exact status and error
 * code each cell must answer. The cell count is part of the test name.
 */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, expiredToken, testServer } from '../helpers/server.js';

const server = await testServer({
  maxBodyBytes: 4096,
  maxSqlBytes: 4096,
  maxModuleBytes: 128 * 1024,
});
const api = client(server);
const owner = await api.newIdentity();
const other = await api.newIdentity();
await api.json('POST', '/v1/database/bank', { token: owner.token, body: moduleBytes('bank') });
await api.json('POST', '/v1/database/bank/call/seed', {
  body: '[10, 100]',
  contentType: 'application/json',
});
await api.json('POST', '/v1/database/chat', { token: owner.token, body: moduleBytes('chat') });
const expired = await expiredToken(server);
const GARBAGE = 'garbage.token.here';
const UNKNOWN_DB = 'no-such-db';
const UNKNOWN_ID = 'c200' + '0'.repeat(60);
const BIG_JSON = `[${'1,'.repeat(3000)}1]`;
const JSON_CT = 'application/json';

type Req = {
  method: string;
  path: string;
  token?: string;
  body?: string | Uint8Array;
  contentType?: string;
};
interface Cell {
  readonly route: string;
  readonly cell: string;
  readonly req: Req;
  readonly status: number;
  /** The error code, a body to equal, or undefined to check only the status. */
  readonly expect?: string | Record<string, unknown>;
}

const cells: Cell[] = [];
const add = (route: string, cell: string, req: Req, status: number, expectBody?: Cell['expect']) =>
  cells.push({
    route,
    cell,
    req,
    status,
    ...(expectBody === undefined ? {} : { expect: expectBody }),
  });

// Token problems on every route that reads a token.
const tokenRoutes: [string, Req][] = [
  ['POST /v1/database', { method: 'POST', path: '/v1/database', body: moduleBytes('quickstart') }],
  [
    'POST /v1/database/:n',
    { method: 'POST', path: '/v1/database/bank', body: moduleBytes('bank') },
  ],
  ['PUT /v1/database/:n', { method: 'PUT', path: '/v1/database/bank', body: moduleBytes('bank') }],
  ['DELETE /v1/database/:n', { method: 'DELETE', path: '/v1/database/bank' }],
  [
    'POST /v1/database/:n/names',
    { method: 'POST', path: '/v1/database/bank/names', body: 'bank-alias' },
  ],
  [
    'PUT /v1/database/:n/names',
    { method: 'PUT', path: '/v1/database/bank/names', body: '["bank"]' },
  ],
  [
    'POST /v1/database/:n/call/:r',
    {
      method: 'POST',
      path: '/v1/database/bank/call/transfer',
      body: '[1,2,1]',
      contentType: JSON_CT,
    },
  ],
  ['GET /v1/database/:n/schema', { method: 'GET', path: '/v1/database/bank/schema?version=9' }],
  ['GET /v1/database/:n/logs', { method: 'GET', path: '/v1/database/bank/logs' }],
  ['POST /v1/identity/websocket-token', { method: 'POST', path: '/v1/identity/websocket-token' }],
  ['GET /v1/identity/:id/verify', { method: 'GET', path: `/v1/identity/${owner.identity}/verify` }],
  [
    'POST /v1/database/:n/sql',
    { method: 'POST', path: '/v1/database/bank/sql', body: 'SELECT * FROM accounts WHERE id = 1' },
  ],
  ['GET /v1/ping', { method: 'GET', path: '/v1/ping' }],
];
const route = (name: string): Req => tokenRoutes.find(([r]) => r === name)![1];
for (const [route, req] of tokenRoutes) {
  add(route, 'garbage token', { ...req, token: GARBAGE }, 401, 'TOKEN_INVALID');
  add(route, 'expired token', { ...req, token: expired }, 401, 'TOKEN_EXPIRED');
}

// No token: owner routes refuse, anonymous-friendly routes mint an identity.
for (const [route, req] of tokenRoutes.filter(([r]) =>
  /DELETE|names|logs|websocket|verify/.test(r),
))
  add(route, 'no token', req, 401, 'UNAUTHORIZED');
add('POST /v1/database', 'no token', tokenRoutes[0]![1], 200);
add('POST /v1/database/:n', 'no token (anonymous is not the owner)', tokenRoutes[1]![1], 401, {
  PermissionDenied: { name: 'bank' },
});
add('POST /v1/database/:n/call/:r', 'no token', tokenRoutes[6]![1], 200);
add('GET /v1/database/:n/schema', 'no token', tokenRoutes[7]![1], 200);
add('POST /v1/database/:n/sql', 'no token', route('POST /v1/database/:n/sql'), 200);
add('GET /v1/ping', 'no token', route('GET /v1/ping'), 200);

// Non-owners.
add('POST /v1/database/:n', 'non-owner', { ...tokenRoutes[1]![1], token: other.token }, 401, {
  PermissionDenied: { name: 'bank' },
});
add('PUT /v1/database/:n', 'non-owner', { ...tokenRoutes[2]![1], token: other.token }, 401, {
  PermissionDenied: { name: 'bank' },
});
add(
  'DELETE /v1/database/:n',
  'non-owner',
  { ...tokenRoutes[3]![1], token: other.token },
  401,
  'PERMISSION_DENIED',
);
add('POST /v1/database/:n/names', 'non-owner', { ...tokenRoutes[4]![1], token: other.token }, 401, {
  PermissionDenied: { domain: 'bank-alias' },
});
add('PUT /v1/database/:n/names', 'non-owner', { ...tokenRoutes[5]![1], token: other.token }, 401, {
  PermissionDenied: null,
});
add(
  'GET /v1/database/:n/logs',
  'non-owner',
  { ...tokenRoutes[8]![1], token: other.token },
  401,
  'PERMISSION_DENIED',
);
add(
  'POST /v1/database/:n/sql',
  'non-owner DML',
  { ...route('POST /v1/database/:n/sql'), body: 'DELETE FROM accounts', token: other.token },
  401,
  'PERMISSION_DENIED',
);
add(
  'GET /v1/identity/:id/verify',
  'another identity',
  { ...tokenRoutes[10]![1], token: other.token },
  400,
  'IDENTITY_MISMATCH',
);

// Unknown databases.
for (const [route, method, suffix] of [
  ['GET /v1/database/:n', 'GET', ''],
  ['DELETE /v1/database/:n', 'DELETE', ''],
  ['GET /v1/database/:n/names', 'GET', '/names'],
  ['POST /v1/database/:n/names', 'POST', '/names'],
  ['PUT /v1/database/:n/names', 'PUT', '/names'],
  ['GET /v1/database/:n/identity', 'GET', '/identity'],
  ['POST /v1/database/:n/call/:r', 'POST', '/call/transfer'],
  ['GET /v1/database/:n/schema', 'GET', '/schema?version=9'],
  ['GET /v1/database/:n/logs', 'GET', '/logs'],
  ['POST /v1/database/:n/sql', 'POST', '/sql'],
] as const) {
  add(
    route,
    'unknown database',
    {
      method,
      path: `/v1/database/${UNKNOWN_DB}${suffix}`,
      token: owner.token,
      body: method === 'GET' || method === 'DELETE' ? undefined! : '["x-y-z"]',
      contentType: JSON_CT,
    },
    404,
    'DATABASE_NOT_FOUND',
  );
}
add(
  'POST /v1/database/:n',
  'unknown identity',
  {
    method: 'POST',
    path: `/v1/database/${UNKNOWN_ID}`,
    token: owner.token,
    body: moduleBytes('bank'),
  },
  404,
  'DATABASE_NOT_FOUND',
);

// Bodies.
const call = (body: string, contentType = JSON_CT): Req => ({
  method: 'POST',
  path: '/v1/database/bank/call/transfer',
  token: owner.token,
  body,
  contentType,
});
add(
  'POST /v1/database/:n/call/:r',
  'unknown reducer',
  { ...call('[]'), path: '/v1/database/bank/call/nope' },
  404,
  'REDUCER_NOT_FOUND',
);
add('POST /v1/database/:n/call/:r', 'malformed JSON', call('[1, 2'), 400, 'INVALID_JSON');
add('POST /v1/database/:n/call/:r', 'wrong arity', call('[1, 2]'), 400, 'INVALID_ARGUMENT');
add('POST /v1/database/:n/call/:r', 'wrong type', call('[1, "two", 1]'), 400, 'INVALID_ARGUMENT');
add('POST /v1/database/:n/call/:r', 'oversize body', call(BIG_JSON), 413, 'BODY_TOO_LARGE');
add(
  'POST /v1/database/:n/call/:r',
  'wrong content type',
  call('[1,2,1]', 'text/plain'),
  415,
  'UNSUPPORTED_MEDIA_TYPE',
);
add(
  'PUT /v1/database/:n/names',
  'malformed JSON',
  { method: 'PUT', path: '/v1/database/bank/names', token: owner.token, body: '["bank"' },
  400,
  'INVALID_JSON',
);
add(
  'PUT /v1/database/:n/names',
  'wrong type',
  { method: 'PUT', path: '/v1/database/bank/names', token: owner.token, body: '[1, 2]' },
  400,
  'INVALID_ARGUMENT',
);
add(
  'PUT /v1/database/:n/names',
  'oversize body',
  { method: 'PUT', path: '/v1/database/bank/names', token: owner.token, body: BIG_JSON },
  413,
  'BODY_TOO_LARGE',
);
add(
  'POST /v1/database/:n/names',
  'oversize body',
  { method: 'POST', path: '/v1/database/bank/names', token: owner.token, body: 'x'.repeat(5000) },
  413,
  'BODY_TOO_LARGE',
);
add(
  'POST /v1/database/:n/names',
  'invalid name',
  { method: 'POST', path: '/v1/database/bank/names', token: owner.token, body: 'Not A Name' },
  400,
  'NAME_INVALID',
);
add(
  'POST /v1/database/:n',
  'oversize module',
  {
    method: 'POST',
    path: '/v1/database/big',
    token: owner.token,
    body: new Uint8Array(200 * 1024),
  },
  413,
  'BODY_TOO_LARGE',
);
add(
  'POST /v1/database/:n',
  'not a module',
  { method: 'POST', path: '/v1/database/junk', token: owner.token, body: 'hello' },
  400,
  'MODULE_INVALID',
);
add(
  'POST /v1/database',
  'not a module',
  { method: 'POST', path: '/v1/database', token: owner.token, body: new Uint8Array(0) },
  400,
  'MODULE_INVALID',
);
add(
  'POST /v1/database/:n/sql',
  'malformed SQL',
  { method: 'POST', path: '/v1/database/bank/sql', token: owner.token, body: 'SELEKT 1' },
  400,
  'SQL_SYNTAX',
);
add(
  'POST /v1/database/:n/sql',
  'wrong type',
  {
    method: 'POST',
    path: '/v1/database/bank/sql',
    token: owner.token,
    body: "SELECT * FROM accounts WHERE id = 'one'",
  },
  400,
  'SQL_TYPE_MISMATCH',
);
add(
  'POST /v1/database/:n/sql',
  'oversize body',
  {
    method: 'POST',
    path: '/v1/database/bank/sql',
    token: owner.token,
    body: `SELECT * FROM accounts WHERE id = ${'1'.repeat(5000)}`,
  },
  413,
  'BODY_TOO_LARGE',
);
add(
  'POST /v1/database/:n/sql',
  'unknown table',
  { method: 'POST', path: '/v1/database/bank/sql', token: owner.token, body: 'SELECT * FROM nope' },
  400,
  'SQL_UNKNOWN_NAME',
);
add(
  'POST /v1/database/:n/call/:r',
  'lifecycle reducer',
  {
    method: 'POST',
    path: '/v1/database/chat/call/client_connected',
    token: owner.token,
    body: '[]',
    contentType: JSON_CT,
  },
  400,
  'LIFECYCLE_NOT_CALLABLE',
);
add(
  'GET /v1/database/:n/schema',
  'wrong version',
  { method: 'GET', path: '/v1/database/bank/schema?version=8' },
  400,
  'INVALID_ARGUMENT',
);
add(
  'GET /v1/database/:n/logs',
  'bad num_lines',
  { method: 'GET', path: '/v1/database/bank/logs?num_lines=abc', token: owner.token },
  400,
  'INVALID_ARGUMENT',
);
add(
  'GET /v1/identity/:id/verify',
  'not an identity',
  { method: 'GET', path: '/v1/identity/xyz/verify', token: owner.token },
  400,
  'INVALID_ARGUMENT',
);
add(
  'GET /v1/identity/:id/databases',
  'not an identity',
  { method: 'GET', path: '/v1/identity/xyz/databases' },
  400,
  'INVALID_ARGUMENT',
);
add(
  'ANY unknown route',
  'unknown route',
  { method: 'GET', path: '/v1/nope' },
  404,
  'ROUTE_NOT_FOUND',
);
add(
  'PATCH /v1/database/:n',
  'wrong method',
  { method: 'PATCH', path: '/v1/database/bank' },
  405,
  'METHOD_NOT_ALLOWED',
);
add(
  'GET /v1/database/:n/call/:r',
  'wrong method',
  { method: 'GET', path: '/v1/database/bank/call/transfer' },
  405,
  'METHOD_NOT_ALLOWED',
);

describe('HTTP route × bad input matrix', () => {
  it(`answers every one of the ${cells.length} cells with the documented status and body, and never a 5xx`, async () => {
    const failures: string[] = [];
    for (const c of cells) {
      const res = await api.json(c.req.method, c.req.path, {
        ...(c.req.token === undefined ? {} : { token: c.req.token }),
        ...(c.req.body === undefined ? {} : { body: c.req.body }),
        ...(c.req.contentType === undefined ? {} : { contentType: c.req.contentType }),
      });
      const body = res.body as { error?: { code?: string } } | undefined;
      const bodyOk =
        c.expect === undefined
          ? true
          : typeof c.expect === 'string'
            ? body?.error?.code === c.expect
            : JSON.stringify(body) === JSON.stringify(c.expect);
      if (res.status !== c.status || !bodyOk || res.status >= 500)
        failures.push(
          `${c.route} [${c.cell}]: got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`,
        );
    }
    expect(failures).toEqual([]);
    expect(cells.length).toBeGreaterThanOrEqual(60);
  });
});
