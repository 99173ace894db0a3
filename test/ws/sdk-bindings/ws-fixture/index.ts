/**
 * @module
 * Client bindings for `modules/fixtures/ws` on the official SpacetimeDB TypeScript SDK 1.x,
 * hand-written in the shape of the SDK's generated `module_bindings/index.ts`: a remote module
 * description (tables, reducers, no procedures) and the typed `DbConnection` built on it.
 */
import {
  DbConnectionBuilder as SdkConnectionBuilder,
  DbConnectionImpl,
  SubscriptionBuilderImpl,
  convertToAccessorMap,
  makeQueryBuilder,
  procedures,
  reducerSchema,
  reducers as reducerList,
  schema,
  table,
  type DbConnectionConfig,
  type ErrorContextInterface,
  type EventContextInterface,
  type QueryBuilder,
  type ReducerEventContextInterface,
  type RemoteModule,
  type SubscriptionEventContextInterface,
  type SubscriptionHandleImpl,
} from '../sdk.js';
import {
  AddManyParams,
  AddPlayerParams,
  AddTeamParams,
  FailParams,
  RemovePlayerParams,
  SetScoreParams,
} from './reducers.js';
import { PlayerRow, TeamRow, VisitRow } from './tables.js';

export { PlayerRow, TeamRow, VisitRow };
export type { Player, Team, Visit } from './tables.js';

const tablesSchema = schema(
  table(
    {
      name: 'player',
      public: true,
      indexes: [
        { name: 'id', algorithm: 'btree', columns: ['id'] },
        { name: 'team', algorithm: 'btree', columns: ['team'] },
      ],
      constraints: [{ name: 'player_id_key', constraint: 'unique', columns: ['id'] }],
    },
    PlayerRow,
  ),
  table(
    {
      name: 'team',
      public: true,
      indexes: [{ name: 'id', algorithm: 'btree', columns: ['id'] }],
      constraints: [{ name: 'team_id_key', constraint: 'unique', columns: ['id'] }],
    },
    TeamRow,
  ),
  table(
    {
      name: 'visit',
      public: true,
      indexes: [{ name: 'who', algorithm: 'btree', columns: ['who'] }],
      constraints: [{ name: 'visit_who_key', constraint: 'unique', columns: ['who'] }],
    },
    VisitRow,
  ),
);

const reducersSchema = reducerList(
  reducerSchema('add_player', AddPlayerParams),
  reducerSchema('set_score', SetScoreParams),
  reducerSchema('remove_player', RemovePlayerParams),
  reducerSchema('add_team', AddTeamParams),
  reducerSchema('add_many', AddManyParams),
  reducerSchema('fail', FailParams),
);

const proceduresSchema = procedures();

const REMOTE_MODULE = {
  // The SDK refuses bindings older than CLI 1.4.0; these follow the 1.12 generator.
  versionInfo: { cliVersion: '1.12.0' as const },
  tables: tablesSchema.schemaType.tables,
  reducers: reducersSchema.reducersType.reducers,
  ...proceduresSchema,
} satisfies RemoteModule<
  typeof tablesSchema.schemaType,
  typeof reducersSchema.reducersType,
  typeof proceduresSchema
>;

type Module = typeof REMOTE_MODULE;

export const tables = convertToAccessorMap(tablesSchema.schemaType.tables);
export const query: QueryBuilder<typeof tablesSchema.schemaType> = makeQueryBuilder(
  tablesSchema.schemaType,
);

export type EventContext = EventContextInterface<Module>;
export type ReducerEventContext = ReducerEventContextInterface<Module>;
export type SubscriptionEventContext = SubscriptionEventContextInterface<Module>;
export type ErrorContext = ErrorContextInterface<Module>;
export type SubscriptionHandle = SubscriptionHandleImpl<Module>;

export class SubscriptionBuilder extends SubscriptionBuilderImpl<Module> {}

export class DbConnectionBuilder extends SdkConnectionBuilder<DbConnection> {}

export class DbConnection extends DbConnectionImpl<Module> {
  static builder = (): DbConnectionBuilder =>
    new DbConnectionBuilder(
      REMOTE_MODULE,
      (config: DbConnectionConfig<Module>) => new DbConnection(config),
    );

  override subscriptionBuilder = (): SubscriptionBuilder => new SubscriptionBuilder(this);
}
