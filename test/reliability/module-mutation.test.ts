/**
 * Module mutation fuzz: seeded byte mutations (flips, overwrites, truncations, insertions) of
 * a valid module, each published to a real server. Every one is refused with a structured 4xx
 * or runs; none gets a 5xx, the server never stops, and `/v1/ping` answers throughout. A mutant
 * that runs may still fail by its own fault: it traps or fails (530) or loops until the reducer
 * timeout stops it (504 REDUCER_TIMEOUT). Those are the module's outcomes, named by code.
 * CI: 1,000 mutants; `LONG_TESTS=1`: 100,000.
 */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { LONG, pickSeed, report, rng, type Rng } from './seeded.js';

const MUTANTS = LONG ? 100_000 : 1_000;
const seed = pickSeed();
const server = await testServer();
const api = client(server);
const owner = await api.newIdentity();
const valid = moduleBytes('fixtures/reliability');
/** What a running mutant may answer by its own fault: the server stopped it cleanly. */
const MODULE_FAULTS = new Set([
  'REDUCER_FAILED',
  'REDUCER_TRAPPED',
  'REDUCER_OUT_OF_MEMORY',
  'REDUCER_TIMEOUT',
]);

function mutate(r: Rng, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  for (let k = r.int(1, 4); k > 0; k--) {
    const at = r.int(0, out.length - 1);
    const kind = r.int(0, 3);
    if (kind === 0) out[at] = out[at]! ^ (1 << r.int(0, 7));
    else if (kind === 1) out[at] = r.int(0, 255);
    else if (kind === 2) out.splice(at, r.int(1, 16));
    else out.splice(at, 0, ...Array.from({ length: r.int(1, 8) }, () => r.int(0, 255)));
  }
  return new Uint8Array(out);
}

describe(`module mutation fuzz (seed ${seed}; SEED=… to replay)`, () => {
  it(`refuses or safely runs ${MUTANTS} mutants, never a 5xx`, async () => {
    const r = rng(seed);
    const codes = new Map<string, number>();
    const fiveXx: string[] = [];
    let accepted = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const bytes = mutate(r, valid);
      const res = await api.json('POST', `/v1/database/mut${i % 8}`, {
        token: owner.token,
        body: bytes,
      });
      if (res.status >= 500) fiveXx.push(`#${i} ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 200) {
        accepted++;
        const call = await api.json('POST', `/v1/database/mut${i % 8}/call/pair`, {
          body: '["x"]',
          contentType: 'application/json',
        });
        const fault = (call.body as { error?: { code?: string } } | undefined)?.error?.code;
        if (call.status >= 500 && !MODULE_FAULTS.has(fault ?? ''))
          fiveXx.push(`#${i} call ${call.status} ${JSON.stringify(call.body)}`);
      } else {
        const body = res.body as { error?: { code?: string } } | undefined;
        const code = `${res.status} ${body?.error?.code ?? '(no code)'}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      if (i % 100 === 0) expect((await api.request('GET', '/v1/ping')).status).toBe(200);
    }
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
    report('module mutation fuzz', {
      seed,
      mutants: MUTANTS,
      accepted,
      fiveXx: fiveXx.length,
      codes: JSON.stringify(Object.fromEntries(codes)),
    });
    expect(fiveXx).toEqual([]);
    for (const code of codes.keys()) expect(code).toMatch(/^4\d\d [A-Z_]+$/);
  }, 600_000);
});
