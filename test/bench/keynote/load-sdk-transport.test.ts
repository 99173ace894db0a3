/**
 * The SDK transport offers exactly the run's one subprotocol, and a connection on which the
 * server picks none (the SDK itself would take that as v2) fails with a message instead of
 * measuring a protocol the run does not report. A bare `ws` server on 127.0.0.1 stands in for
 * wasmbase.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { sdkTransport } from '../../../bench/keynote/load-sdk-transport.js';

const offers: (string | undefined)[] = [];
const http = createServer();
const wss = new WebSocketServer({ server: http, handleProtocols: () => false });
wss.on('headers', (_headers, req: IncomingMessage) =>
  offers.push(req.headers['sec-websocket-protocol']),
);
await new Promise<void>(resolve => http.listen(0, '127.0.0.1', resolve));
const port = (http.address() as AddressInfo).port;
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise(resolve => wss.close(resolve));
  await new Promise(resolve => http.close(resolve));
});

describe('keynote SDK transport', () => {
  it('offers only the run protocol and refuses a server that picks another', async () => {
    const open = sdkTransport(
      { kind: 'sdk', uri: `http://127.0.0.1:${port}`, database: 'bank', token: '', protocol: 'v2' },
      5_000,
    );
    const problems: string[] = [];
    const transport = open({
      answers: () => problems.push('an answer'),
      closed: why => problems.push(why),
      problem: why => problems.push(why),
    });
    await expect(transport.ready).rejects.toThrow('Server did not respond with sent protocols');
    expect(offers).toEqual(['v2.bsatn.spacetimedb']);
    expect(problems).toEqual([]);
    expect(() =>
      sdkTransport(
        {
          kind: 'sdk',
          uri: `http://127.0.0.1:${port}`,
          database: 'bank',
          token: '',
          protocol: 'v3',
        },
        5_000,
      ),
    ).toThrow('this load thread already offers v2.bsatn.spacetimedb, not v3.bsatn.spacetimedb');
  });
});
