/**
 * @module
 * Client bindings for the bank module (`modules/bank`) on the official SpacetimeDB TypeScript
 * SDK 2.x, hand-written in the shape of the `module_bindings/index.ts` that
 * `spacetime generate --lang typescript` emits for 2.x: the schema of the one table (`accounts`,
 * its primary-key index and unique constraint, named as the server's schema names them), the
 * reducers `seed` and `transfer`, no procedures, and the typed `DbConnection` built on them.
 * The keynote harness's `wasmbase-sdk` target drives wasmbase through these.
 */
import { AccountsRow } from './accounts-table.js';
import { SeedParams, TransferParams } from './reducers.js';
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
} from './sdk2.js';

export { AccountsRow };
export type { Account } from './accounts-table.js';

const tablesSchema = schema({
  accounts: table(
    {
      name: 'accounts',
      public: true,
      indexes: [
        { accessor: 'id', name: 'accounts_id_idx_btree', algorithm: 'btree', columns: ['id'] },
      ],
      constraints: [{ name: 'accounts_id_key', constraint: 'unique', columns: ['id'] }],
    },
    AccountsRow,
  ),
});

const reducersSchema = reducerList(
  reducerSchema('seed', SeedParams),
  reducerSchema('transfer', TransferParams),
);

const proceduresSchema = procedures();

const REMOTE_MODULE = {
  // The SDK refuses bindings from a generator older than 1.4.0; these follow the 2.x one.
  versionInfo: { cliVersion: '2.10.1' as const },
  tables: tablesSchema.schemaType.tables,
  reducers: reducersSchema.reducersType.reducers,
  ...proceduresSchema,
} satisfies RemoteModule<
  typeof tablesSchema.schemaType,
  typeof reducersSchema.reducersType,
  typeof proceduresSchema
>;

type Module = typeof REMOTE_MODULE;

/** The tables; each doubles as a query builder. */
export const tables: QueryBuilder<typeof tablesSchema.schemaType> = makeQueryBuilder(
  tablesSchema.schemaType,
);
export const reducers = convertToAccessorMap(reducersSchema.reducersType.reducers);

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
