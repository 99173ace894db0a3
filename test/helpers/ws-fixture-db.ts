/**
 * @module
 * The ws fixture (`modules/fixtures/ws`) published on an in-process test engine, for the tests of
 * the layers below HTTP (the service layer, the WebSocket handlers): `wsFixtureDatabase` publishes
 * it under a name and returns the engine, the owner and the database's handle; `reducerArgs`
 * encodes a reducer's arguments from its schema; `playerNames` reads the names out of encoded
 * `player` rows (id, team, name, score), sorted, which is what most assertions compare.
 */
import type { DatabaseHandle, Engine } from '../../runtime/host/index.js';
import {
  decodeFromBytes,
  encodeToBytes,
  Identity,
  type AlgebraicType,
  type AlgebraicValue,
} from '../../runtime/protocol/index.js';
import { testEngine } from './engine.js';
import { moduleBytes } from './modules.js';

export interface WsFixtureDatabase {
  readonly engine: Engine;
  /** Published the fixture (sees its private tables). */
  readonly owner: Identity;
  readonly handle: DatabaseHandle;
}

/** A new test engine (closed when the file ends) with the ws fixture published as `name`. */
export async function wsFixtureDatabase(name: string): Promise<WsFixtureDatabase> {
  const { engine } = await testEngine();
  const owner = Identity.random();
  await engine.publish({
    moduleBytes: moduleBytes('fixtures/ws'),
    owner,
    nameOrIdentity: name,
    clear: false,
  });
  return { engine, owner, handle: engine.resolve(name)! };
}

/** The BSATN arguments of `reducer` of `db`, from its parameter types. */
export function reducerArgs(
  db: DatabaseHandle,
  reducer: string,
  values: AlgebraicValue[],
): Uint8Array {
  const params = db.schema.reducerByName(reducer)!.params;
  return encodeToBytes({ tag: 'Product', elements: params.elements }, values);
}

/** Reads the sorted names of encoded `player` rows of `db`. */
export function playerNames(db: DatabaseHandle): (rows: readonly Uint8Array[]) => string[] {
  const type: AlgebraicType = {
    tag: 'Product',
    elements: db.schema.tableByName('player')!.rowType.elements,
  };
  return rows => rows.map(r => (decodeFromBytes(type, r) as AlgebraicValue[])[2] as string).sort();
}
