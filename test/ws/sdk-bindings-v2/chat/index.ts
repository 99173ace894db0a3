/**
 * @module
 * Client bindings for `modules/chat` on the official SpacetimeDB TypeScript SDK 2.x: the remote
 * module description (`user` keyed by `Identity`, `message` without a primary key, the reducers
 * `set_name` and `send_message`), the typed query builder, and the typed `DbConnection`. The
 * lifecycle reducers (`client_connected`, `client_disconnected`) are not callable and are left
 * out, as the generator does.
 *
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (compare
 * `templates/keynote-2/module_bindings/index.ts` in the SpacetimeDB repository); not generated.
 * Names and orders follow the module's schema; index and constraint names are the ones the
 * wasmbase asc transform gives.
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
  ClientTable as __ClientTable,
  EventContext as __EventContext,
  KeyedClientTable as __KeyedClientTable,
  RangedIndex as __RangedIndex,
  UniqueIndex as __UniqueIndex,
} from '../client-types.js';
import type { Message, User } from './types.js';
import type { SendMessageParams, SetNameParams } from './types/reducers.js';

// Import all reducer arg schemas
import SendMessageReducer from './send_message_reducer.js';
import SetNameReducer from './set_name_reducer.js';

// Import all table schema definitions
import MessageRow from './message_table.js';
import UserRow from './user_table.js';

export type { Message, User } from './types.js';
export type * from './types/reducers.js';

/** The schema information for all tables in this module, as the module defines them. */
const tablesSchema = __schema({
  user: __table(
    {
      name: 'user',
      indexes: [
        {
          accessor: 'identity',
          name: 'user_identity_idx_btree',
          algorithm: 'btree',
          columns: ['identity'],
        },
      ],
      constraints: [{ name: 'user_identity_key', constraint: 'unique', columns: ['identity'] }],
    },
    UserRow,
  ),
  message: __table(
    {
      name: 'message',
      indexes: [
        {
          accessor: 'sender',
          name: 'message_sender_idx_btree',
          algorithm: 'btree',
          columns: ['sender'],
        },
      ],
      constraints: [],
    },
    MessageRow,
  ),
});

/** The callable reducers, in the module's order. */
const reducersSchema = __reducers(
  __reducerSchema('set_name', SetNameReducer),
  __reducerSchema('send_message', SendMessageReducer),
);

/** The module has no procedures. */
const proceduresSchema = __procedures();

/** The remote module schema, both runtime and type information. */
const REMOTE_MODULE = {
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

/** The client cache of the tables, with their index accessors (see ../client-types.ts). */
export interface DbView {
  readonly user: __KeyedClientTable<User, EventContext> & {
    readonly identity: __UniqueIndex<User, __Identity>;
  };
  readonly message: __ClientTable<Message, EventContext> & {
    readonly sender: __RangedIndex<Message, __Identity>;
  };
}

/** Reducer calls: each promise settles on the call's `ReducerResult`. */
export interface Reducers {
  setName(params: SetNameParams): Promise<void>;
  sendMessage(params: SendMessageParams): Promise<void>;
}

/** The context of a row callback. */
export type EventContext = __EventContext<DbView, Reducers>;
export type SubscriptionHandle = __SubscriptionHandleImpl<typeof REMOTE_MODULE>;

/** Configures a subscription of a {@link DbConnection}. */
export class SubscriptionBuilder extends __SubscriptionBuilderImpl<typeof REMOTE_MODULE> {}

/** Configures and opens a {@link DbConnection}. */
export class DbConnectionBuilder extends __DbConnectionBuilder<DbConnection> {}

/** A connection to a database running `modules/chat`, typed by this module. */
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
