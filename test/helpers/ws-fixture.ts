/**
 * @module
 * The ws fixture (`modules/fixtures/ws`) on a real test server, for the end-to-end WebSocket
 * route tests: `serveWsFixture` starts a server (127.0.0.1, ephemeral port, closed when the file
 * ends), makes an owner identity and publishes the fixture under the given name; the types of its
 * `player` row and of `add_player`'s arguments are written out here by hand (not read from the
 * server), so the tests check the wire against the module's declared layout.
 */
import type { RunningServer } from '../../runtime/main.js';
import {
  decodeFromBytes,
  encodeToBytes,
  type AlgebraicType,
} from '../../runtime/protocol/index.js';
import { moduleBytes } from './modules.js';
import { client, testServer, type Client } from './server.js';

export interface WsFixtureServer {
  readonly server: RunningServer;
  readonly api: Client;
  /** Published the fixture (sees its private tables). */
  readonly owner: { readonly identity: string; readonly token: string };
  /** The HTTP status of the publish. */
  readonly published: number;
}

/** A test server with the ws fixture published as `database` by a new owner. */
export async function serveWsFixture(database: string): Promise<WsFixtureServer> {
  const server = await testServer();
  const api = client(server);
  const owner = await api.newIdentity();
  const { status } = await api.json('POST', `/v1/database/${database}`, {
    token: owner.token,
    body: moduleBytes('fixtures/ws'),
  });
  return { server, api, owner, published: status };
}

export const U32: AlgebraicType = { tag: 'U32' };

/** The fixture's `player` row: id, team, name, score. */
export const PLAYER: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'id', type: U32 },
    { name: 'team', type: U32 },
    { name: 'name', type: { tag: 'String' } },
    { name: 'score', type: { tag: 'I64' } },
  ],
};

/** The parameters of the fixture's `add_player` reducer. */
export const ADD_PLAYER_ARGS: AlgebraicType = {
  tag: 'Product',
  elements: [
    { name: 'name', type: { tag: 'String' } },
    { name: 'team', type: U32 },
    { name: 'score', type: { tag: 'I64' } },
  ],
};

/** An encoded `player` row as [id, team, name, score]. */
export const player = (row: Uint8Array) =>
  decodeFromBytes(PLAYER, row) as [number, number, string, bigint];

/** The BSATN arguments of `add_player(name, team, score)`. */
export const addPlayerArgs = (name: string, team: number, score: bigint): Uint8Array =>
  encodeToBytes(ADD_PLAYER_ARGS, [name, team, score]);
