/**
 * @module
 * Client bindings for `modules/fixtures/ws` on the official SpacetimeDB TypeScript SDK 2.x: the
 * remote module description (tables keyed by accessor with their indexes and unique constraints,
 * the callable reducers, no procedures), the typed query builder over the tables, and the typed
 * `DbConnection` built on them. Only public tables are described, as the generator does by
 * default; lifecycle reducers are not callable and are left out.
 *
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (compare
 * `templates/keynote-2/module_bindings/index.ts` in the SpacetimeDB repository); not generated.
 * Table, column and reducer names and the column and parameter order follow the module's schema
 * (`GET /v1/database/:name/schema?version=9`); index and constraint names are the ones the
 * wasmbase asc transform gives (`<table>_<column>_idx_btree`, `<table>_<column>_key`).
 */
import {
  DbConnectionBuilder as __DbConnectionBuilder,
  DbConnectionImpl as __DbConnectionImpl,
  SubscriptionBuilderImpl as __SubscriptionBuilderImpl,
  convertToAccessorMap as __convertToAccessorMap,
  makeQueryBuilder as __makeQueryBuilder,
  procedures as __procedures,
  reducerSchema as __reducerSchema,
  reducers as __reducers,
  schema as __schema,
  table as __table,
  type ConnectionId as __ConnectionId,
  type DbConnectionConfig as __DbConnectionConfig,
  type Identity as __Identity,
  type QueryBuilder as __QueryBuilder,
  type RemoteModule as __RemoteModule,
  type SubscriptionHandleImpl as __SubscriptionHandleImpl,
} from '../sdk.js';
import type {
  EventContext as __EventContext,
  KeyedClientTable as __KeyedClientTable,
  RangedIndex as __RangedIndex,
  UniqueIndex as __UniqueIndex,
} from '../client-types.js';
import type { Player, Team, Visit } from './types.js';
import type {
  AddManyParams,
  AddPlayerParams,
  AddTeamParams,
  FailParams,
  PutSecretParams,
  RemovePlayerParams,
  SetGateParams,
  SetScoreParams,
} from './types/reducers.js';

// Import all reducer arg schemas
import AddManyReducer from './add_many_reducer.js';
import AddPlayerReducer from './add_player_reducer.js';
import AddTeamReducer from './add_team_reducer.js';
import FailReducer from './fail_reducer.js';
import PutSecretReducer from './put_secret_reducer.js';
import RemovePlayerReducer from './remove_player_reducer.js';
import SetGateReducer from './set_gate_reducer.js';
import SetScoreReducer from './set_score_reducer.js';

// Import all table schema definitions
import PlayerRow from './player_table.js';
import TeamRow from './team_table.js';
import VisitRow from './visit_table.js';

export type { Player, Team, Visit } from './types.js';
export type * from './types/reducers.js';

/** The schema information for all tables in this module, as the module defines them. */
const tablesSchema = __schema({
  player: __table(
    {
      name: 'player',
      indexes: [
        { accessor: 'id', name: 'player_id_idx_btree', algorithm: 'btree', columns: ['id'] },
        { accessor: 'team', name: 'player_team_idx_btree', algorithm: 'btree', columns: ['team'] },
      ],
      constraints: [{ name: 'player_id_key', constraint: 'unique', columns: ['id'] }],
    },
    PlayerRow,
  ),
  team: __table(
    {
      name: 'team',
      indexes: [{ accessor: 'id', name: 'team_id_idx_btree', algorithm: 'btree', columns: ['id'] }],
      constraints: [{ name: 'team_id_key', constraint: 'unique', columns: ['id'] }],
    },
    TeamRow,
  ),
  visit: __table(
    {
      name: 'visit',
      indexes: [
        { accessor: 'who', name: 'visit_who_idx_btree', algorithm: 'btree', columns: ['who'] },
      ],
      constraints: [{ name: 'visit_who_key', constraint: 'unique', columns: ['who'] }],
    },
    VisitRow,
  ),
});

/** The callable reducers, in the module's order (their bodies stay on the server). */
const reducersSchema = __reducers(
  __reducerSchema('add_player', AddPlayerReducer),
  __reducerSchema('set_score', SetScoreReducer),
  __reducerSchema('remove_player', RemovePlayerReducer),
  __reducerSchema('add_team', AddTeamReducer),
  __reducerSchema('put_secret', PutSecretReducer),
  __reducerSchema('add_many', AddManyReducer),
  __reducerSchema('fail', FailReducer),
  __reducerSchema('set_gate', SetGateReducer),
);

/** The module has no procedures. */
const proceduresSchema = __procedures();

/** The remote module schema, both runtime and type information. */
const REMOTE_MODULE = {
  // The SDK refuses bindings older than CLI 1.4.0; these follow the 2.x generator.
  versionInfo: { cliVersion: '2.0.3' as const },
  tables: tablesSchema.schemaType.tables,
  reducers: reducersSchema.reducersType.reducers,
  ...proceduresSchema,
} satisfies __RemoteModule<
  typeof tablesSchema.schemaType,
  typeof reducersSchema.reducersType,
  typeof proceduresSchema
>;

/** The tables of the module; each one doubles as a query builder. */
export const tables: __QueryBuilder<typeof tablesSchema.schemaType> = __makeQueryBuilder(
  tablesSchema.schemaType,
);

/** The reducers of the module. */
export const reducers = __convertToAccessorMap(reducersSchema.reducersType.reducers);

/** The procedures of the module (none). */
export const procedures = __convertToAccessorMap(proceduresSchema.procedures);

/** The client cache of the public tables, with their index accessors (see ../client-types.ts). */
export interface DbView {
  readonly player: __KeyedClientTable<Player, EventContext> & {
    readonly id: __UniqueIndex<Player, number>;
    readonly team: __RangedIndex<Player, number>;
  };
  readonly team: __KeyedClientTable<Team, EventContext> & {
    readonly id: __UniqueIndex<Team, number>;
  };
  readonly visit: __KeyedClientTable<Visit, EventContext> & {
    readonly who: __UniqueIndex<Visit, __Identity>;
  };
}

/** Reducer calls: each promise settles on the call's `ReducerResult`. */
export interface Reducers {
  addPlayer(params: AddPlayerParams): Promise<void>;
  setScore(params: SetScoreParams): Promise<void>;
  removePlayer(params: RemovePlayerParams): Promise<void>;
  addTeam(params: AddTeamParams): Promise<void>;
  putSecret(params: PutSecretParams): Promise<void>;
  addMany(params: AddManyParams): Promise<void>;
  fail(params: FailParams): Promise<void>;
  setGate(params: SetGateParams): Promise<void>;
}

/** The context of a row callback. */
export type EventContext = __EventContext<DbView, Reducers>;
export type SubscriptionHandle = __SubscriptionHandleImpl<typeof REMOTE_MODULE>;

/** Configures a subscription of a {@link DbConnection}. */
export class SubscriptionBuilder extends __SubscriptionBuilderImpl<typeof REMOTE_MODULE> {}

/** Configures and opens a {@link DbConnection}. */
export class DbConnectionBuilder extends __DbConnectionBuilder<DbConnection> {}

/** A connection to a database running `modules/fixtures/ws`, typed by this module. */
export class DbConnection extends __DbConnectionImpl<typeof REMOTE_MODULE> {
  // What the SDK's partly resolved declarations type as `any` (see ../client-types.ts).
  declare db: DbView;
  declare reducers: Reducers;
  declare identity?: __Identity;
  declare connectionId: __ConnectionId;

  static builder = (): DbConnectionBuilder =>
    new DbConnectionBuilder(
      REMOTE_MODULE,
      (config: __DbConnectionConfig<typeof REMOTE_MODULE>) => new DbConnection(config),
    );

  override subscriptionBuilder = (): SubscriptionBuilder => new SubscriptionBuilder(this);
}
