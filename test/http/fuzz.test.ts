/** Random bodies, paths and tokens never get a 5xx and always get a structured answer. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer({ maxBodyBytes: 2048 });
const api = client(server);
const owner = await api.newIdentity();
// Valid but not the owner: nothing the fuzzer sends can delete or rename the database.
const other = await api.newIdentity();
await api.json('POST', '/v1/database/bank', { token: owner.token, body: moduleBytes('bank') });
await api.json('POST', '/v1/database/bank/call/seed', {
  body: '[4, 100]',
  contentType: 'application/json',
});

const RUNS = process.env['LONG_TESTS'] === '1' ? 2000 : 150;
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

/** Answers are 2xx/4xx/530/504 with a JSON or empty body; never another 5xx. */
async function check(res: Response): Promise<void> {
  const text = await res.text();
  if (res.status >= 500 && res.status !== 530 && res.status !== 504)
    throw new Error(`status ${res.status}: ${text.slice(0, 200)}`);
  if (res.status >= 400 && text !== '') {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (!('error' in body) && !('PermissionDenied' in body))
      throw new Error(`unstructured error body: ${text.slice(0, 200)}`);
  }
}

describe(`HTTP fuzz (seed ${seed}, ${RUNS} runs each; FC_SEED=… to replay)`, () => {
  it('reducer calls with arbitrary JSON arguments', async () => {
    console.log(`fuzz seed ${seed}`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.array(fc.jsonValue(), { maxLength: 4 }).map(v => JSON.stringify(v)),
          fc.string(),
        ),
        async body => {
          await check(
            await api.request('POST', '/v1/database/bank/call/transfer', {
              body,
              contentType: 'application/json',
            }),
          );
        },
      ),
      { seed, numRuns: RUNS },
    );
  }, 120_000);

  it('arbitrary paths, methods, tokens and bytes', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'v1',
        'database',
        'bank',
        'identity',
        'call',
        'names',
        'schema',
        'logs',
        'sql',
        'transfer',
        '%00',
        '..',
        '',
      ),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.option(
          fc.oneof(
            fc.string({ maxLength: 40 }).filter(t => /^[\x21-\x7e]+$/.test(t)),
            fc.constant(other.token),
          ),
        ),
        fc.uint8Array({ maxLength: 3000 }),
        async (method, segments, token, bytes) => {
          const path = `/${segments.join('/')}`;
          const options = {
            ...(token === null ? {} : { token }),
            ...(method === 'GET' ? {} : { body: bytes, contentType: 'application/json' }),
          };
          await check(await api.request(method, path, options));
        },
      ),
      { seed, numRuns: RUNS },
    );
    // Whatever happened, the database is still there and answers.
    expect((await api.request('GET', '/v1/database/bank')).status).toBe(200);
  }, 120_000);
});
