/**
 * Nothing tells a non-owner that private tables exist: the schema route drops their row types,
 * and v1 table ids number the public tables first, without gaps (the ws fixture has public
 * `player`, `team`, `visit` and private `secret`, `gate`).
 */
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../runtime/protocol/index.js';
import { serveWsFixture } from '../helpers/ws-fixture.js';
import { openWs } from '../helpers/ws-client.js';

const { server, api, owner } = await serveWsFixture('leaks');
const other = await api.newIdentity();

interface SchemaJson {
  typespace: { types: unknown[] };
  tables: { name: string; product_type_ref: number }[];
  types: { name: { name: string }; ty: number }[];
}

async function schema(token: string | undefined): Promise<SchemaJson> {
  const path = '/v1/database/leaks/schema?version=9';
  const res = await api.json('GET', path, token === undefined ? {} : { token });
  expect(res.status).toBe(200);
  return res.body as SchemaJson;
}

async function tableIds(token: string, sql: string[]): Promise<Record<string, number>> {
  const c = await openWs(server.url, 'leaks', { token });
  expect((await c.next()).tag).toBe('IdentityToken');
  c.send({ tag: 'SubscribeMulti', queryStrings: sql, requestId: 1, queryId: 7 });
  const m: ServerMessage = await c.next();
  c.close();
  if (m.tag !== 'SubscribeMultiApplied') throw new Error(`got ${m.tag}`);
  return Object.fromEntries(m.update.tables.map(t => [t.tableName, t.tableId]));
}

describe('what a non-owner learns about private tables', () => {
  it('the schema holds no type, name or reference of a private table', async () => {
    const mine = await schema(owner.token);
    const theirs = await schema(other.token);
    const anonymous = await schema(undefined);
    expect(anonymous).toEqual(theirs);
    expect(mine.tables.map(t => t.name)).toEqual(['player', 'team', 'secret', 'gate', 'visit']);
    expect(theirs.tables.map(t => t.name)).toEqual(['player', 'team', 'visit']);
    const text = JSON.stringify(theirs);
    for (const hidden of ['secret', 'Secret', 'gate', 'Gate'])
      expect(text).not.toContain(`"${hidden}"`);
    const refs = theirs.tables.map(t => t.product_type_ref).sort();
    expect(refs).toEqual([...Array(theirs.typespace.types.length).keys()].slice(0, refs.length));
    expect(theirs.types.map(t => t.ty).every(ty => ty < theirs.typespace.types.length)).toBe(true);
  });

  it('v1 table ids number the public tables 0, 1, 2 and the private ones after', async () => {
    const sql = ['SELECT * FROM player', 'SELECT * FROM team', 'SELECT * FROM visit'];
    expect(await tableIds(other.token, sql)).toEqual({ player: 0, team: 1, visit: 2 });
    const all = [...sql, 'SELECT * FROM secret', 'SELECT * FROM gate'];
    expect(await tableIds(owner.token, all)).toEqual({
      player: 0,
      team: 1,
      visit: 2,
      secret: 3,
      gate: 4,
    });
  });
});
