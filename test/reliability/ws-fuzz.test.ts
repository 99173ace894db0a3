/**
 * WebSocket fuzz over v1 (bsatn and json) and v2: seeded frames (random bytes, valid message
 * tags followed by garbage, truncated and oversized payloads, random text) sent on fuzz
 * connections while a bystander connection stays subscribed. Only the offending connection
 * closes, with a protocol code (1002/1003/1007/1008/1009), never 1006 or 1011; the bystander
 * and `/v1/ping` keep answering. CI: 10,000 frames; `LONG_TESTS=1`: 1,000,000.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  WS_PROTOCOL_V1_BSATN,
  WS_PROTOCOL_V1_JSON,
  WS_PROTOCOL_V2_BSATN,
} from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { openWs } from '../helpers/ws-client.js';
import { openSocket } from '../helpers/ws-open.js';
import { LONG, pickSeed, report, rng, type Rng } from './seeded.js';

const FRAMES = LONG ? 1_000_000 : 10_000;
const PROTOCOLS = [WS_PROTOCOL_V1_BSATN, WS_PROTOCOL_V1_JSON, WS_PROTOCOL_V2_BSATN];
const PROPER = new Set([1002, 1003, 1007, 1008, 1009]);
const seed = pickSeed();
const server = await testServer();
const api = client(server);
const owner = await api.newIdentity();
await api.json('POST', '/v1/database/wsfz', {
  token: owner.token,
  body: moduleBytes('fixtures/reliability'),
});

function frame(r: Rng): Buffer | string {
  const kind = r.int(0, 4);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => r.int(0, 255)));
  if (kind === 0) return bytes(r.int(0, 64));
  if (kind === 1) return Buffer.concat([Buffer.from([r.int(0, 8)]), bytes(r.int(0, 32))]);
  if (kind === 2) return Buffer.concat([Buffer.from([r.int(0, 8), 0xff, 0xff, 0xff, 0x7f])]);
  if (kind === 3) return bytes(r.int(0, 4)).toString('latin1');
  return JSON.stringify({
    [r.pick(['CallReducer', 'Subscribe', 'OneOffQuery', 'x'])]: r.int(0, 9),
  });
}

describe(`WebSocket fuzz (seed ${seed}; SEED=… to replay)`, () => {
  it(`${FRAMES} frames close only their own connection, with a proper code`, async () => {
    const r = rng(seed);
    const bystander = await openWs(server.url, 'wsfz');
    await bystander.next();
    const closes = new Map<number, number>();
    let sent = 0;
    let connections = 0;
    while (sent < FRAMES) {
      const protocol = r.pick(PROTOCOLS);
      const socket = await openSocket(server.url, 'wsfz', protocol, {}, s => s);
      connections++;
      const closed = new Promise<number>(res => socket.on('close', code => res(code)));
      let open = true;
      void closed.then(() => (open = false));
      for (let k = r.int(1, 50); k > 0 && open && sent < FRAMES; k--, sent++) socket.send(frame(r));
      // Give the server a moment to answer; then end a connection that survived ourselves.
      const code = await Promise.race([
        closed,
        new Promise<number>(res => setTimeout(() => res(-1), 20)),
      ]);
      if (code === -1) {
        socket.close(1000);
        await closed;
      } else closes.set(code, (closes.get(code) ?? 0) + 1);
    }
    expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
    expect((await api.request('GET', '/v1/ping')).status).toBe(200);
    bystander.close();
    report('ws fuzz', {
      seed,
      frames: sent,
      connections,
      closes: JSON.stringify(Object.fromEntries(closes)),
    });
    for (const code of closes.keys()) expect(PROPER.has(code)).toBe(true);
  }, 600_000);
});
