/**
 * @module
 * The two wasmbase targets, each on its own fresh server per run (wasmbase-instance.ts):
 *
 * - `wasmbase`: the harness's own WebSocket clients, speaking the run's protocol (v1, v2 or v3
 *   `.bsatn.spacetimedb`) through the project's codecs on
 *   `/v1/database/bank/subscribe?compression=None&confirmed=true` with a bearer token;
 * - `wasmbase-sdk`: the official SpacetimeDB SDK 2.x `DbConnection` with our bank bindings, as
 *   SpacetimeDB's keynote-2 harness drives SpacetimeDB (no compression, confirmed reads); the SDK
 *   speaks only v2 and v3.
 *
 * Both ask for confirmed results: a call is answered after its transaction is on disk.
 */
import { startWasmbase, BANK_DATABASE, type WasmbaseOptions } from './wasmbase-instance.js';
import { PROTOCOLS, type RunSetup, type Target, type WasmbaseProtocol } from './target.js';

export type { WasmbaseOptions } from './wasmbase-instance.js';

function protocolOf(setup: RunSetup, target: Target): WasmbaseProtocol {
  const protocol = setup.protocol;
  if (protocol === undefined || !target.protocols.includes(protocol))
    throw new Error(
      `${target.name} speaks ${target.protocols.join(', ')}, not ${protocol ?? 'none'}`,
    );
  return protocol;
}

export function wasmbaseTarget(options: WasmbaseOptions): Target {
  const target: Target = {
    name: 'wasmbase',
    protocols: PROTOCOLS,
    description:
      `wasmbase server (${options.workers} reducer workers), bank module; the harness's ` +
      'WebSocket clients (v1/v2/v3 bsatn through the project codecs), confirmed results',
    async start(setup) {
      const protocol = protocolOf(setup, target);
      const server = await startWasmbase(options, setup);
      return {
        connection: {
          kind: 'ws',
          url:
            `ws://127.0.0.1:${server.port}/v1/database/${BANK_DATABASE}/subscribe` +
            '?compression=None&confirmed=true',
          codec: `wasmbase-${protocol}`,
          headers: { authorization: `Bearer ${server.token}` },
        },
        finish: () => server.finish(),
        abort: () => server.abort(),
        output: () => server.output(),
      };
    },
    async close() {},
  };
  return target;
}

export function wasmbaseSdkTarget(options: WasmbaseOptions): Target {
  const target: Target = {
    name: 'wasmbase-sdk',
    protocols: ['v2', 'v3'],
    description:
      `wasmbase server (${options.workers} reducer workers), bank module; the official ` +
      'SpacetimeDB SDK 2.10 (a DbConnection per client, hand-written bindings), ' +
      'no compression, confirmed reads',
    async start(setup) {
      const protocol = protocolOf(setup, target);
      if (protocol === 'v1') throw new Error('the SDK 2.x does not speak v1');
      const server = await startWasmbase(options, setup);
      return {
        connection: {
          kind: 'sdk',
          uri: server.base,
          database: BANK_DATABASE,
          token: server.token,
          protocol,
        },
        finish: () => server.finish(),
        abort: () => server.abort(),
        output: () => server.output(),
      };
    },
    async close() {},
  };
  return target;
}
