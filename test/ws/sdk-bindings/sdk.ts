/**
 * @module
 * The official SDK (npm `spacetimedb` 1.x) with its types. The package's root declaration file
 * re-exports its parts through extensionless paths, which NodeNext resolution refuses in an ESM
 * package, so `import { t } from 'spacetimedb'` type-checks as "no exported member". The
 * declaration files of its `sdk/` and `lib/` folders do resolve, so the values come from the
 * package itself at run time and their types from those files.
 */
import * as runtime from 'spacetimedb';
import type * as ConnIdModule from '../../../node_modules/spacetimedb/dist/lib/connection_id.js';
import type * as IdentityModule from '../../../node_modules/spacetimedb/dist/lib/identity.js';
import type * as QueryModule from '../../../node_modules/spacetimedb/dist/lib/query.js';
import type * as TimestampModule from '../../../node_modules/spacetimedb/dist/lib/timestamp.js';
import type * as SdkModule from '../../../node_modules/spacetimedb/dist/sdk/index.js';

const sdk = runtime as unknown as typeof SdkModule &
  typeof ConnIdModule &
  typeof IdentityModule &
  typeof QueryModule &
  typeof TimestampModule;

export const {
  t,
  schema,
  table,
  reducerSchema,
  reducers,
  procedures,
  convertToAccessorMap,
  makeQueryBuilder,
  DbConnectionBuilder,
  DbConnectionImpl,
  SubscriptionBuilderImpl,
  ConnectionId,
  Identity,
  Timestamp,
} = sdk;

export type {
  DbConnectionConfig,
  ErrorContextInterface,
  EventContextInterface,
  ReducerEventContextInterface,
  RemoteModule,
  SubscriptionEventContextInterface,
  SubscriptionHandleImpl,
} from '../../../node_modules/spacetimedb/dist/sdk/index.js';
export type { QueryBuilder } from '../../../node_modules/spacetimedb/dist/lib/query.js';
export type Identity = IdentityModule.Identity;
export type Timestamp = TimestampModule.Timestamp;
export type ConnectionId = ConnIdModule.ConnectionId;
