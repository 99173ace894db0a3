/**
 * @module
 * Client bindings for `modules/chat` on the official SpacetimeDB TypeScript SDK 1.x, hand-written
 * in the shape of the SDK's generated `module_bindings/index.ts`.
 */
import {
  DbConnectionBuilder as SdkConnectionBuilder,
  DbConnectionImpl,
  SubscriptionBuilderImpl,
  convertToAccessorMap,
  procedures,
  reducerSchema,
  reducers as reducerList,
  schema,
  table,
  type DbConnectionConfig,
  type EventContextInterface,
  type ReducerEventContextInterface,
  type RemoteModule,
  type SubscriptionHandleImpl,
} from '../sdk.js';
import { SendMessageParams, SetNameParams } from './reducers.js';
import { MessageRow, UserRow } from './tables.js';

export { MessageRow, UserRow };
export type { Message, User } from './tables.js';

const tablesSchema = schema(
  table(
    {
      name: 'user',
      public: true,
      indexes: [{ name: 'identity', algorithm: 'btree', columns: ['identity'] }],
      constraints: [{ name: 'user_identity_key', constraint: 'unique', columns: ['identity'] }],
    },
    UserRow,
  ),
  table(
    {
      name: 'message',
      public: true,
      indexes: [{ name: 'sender', algorithm: 'btree', columns: ['sender'] }],
    },
    MessageRow,
  ),
);

const reducersSchema = reducerList(
  reducerSchema('set_name', SetNameParams),
  reducerSchema('send_message', SendMessageParams),
);

const proceduresSchema = procedures();

const REMOTE_MODULE = {
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

export type EventContext = EventContextInterface<Module>;
export type ReducerEventContext = ReducerEventContextInterface<Module>;
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
