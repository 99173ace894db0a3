/**
 * The official SDK 2.x (npm alias `spacetimedb2` of `spacetimedb@2.10.1`) with its types, for the
 * hand-written 2.x bindings beside this file.
 *
 * Like 1.x, the package's root declaration file re-exports its parts through extensionless paths,
 * which NodeNext resolution refuses in an ESM package, so `import { t } from 'spacetimedb2'`
 * type-checks as "no exported member". The values therefore come from the package root at run
 * time (one bundle: the classes the bindings use are the ones the SDK checks against), and their
 * types from the declaration files of its `sdk/` and `lib/` folders, which do resolve.
 */
import * as runtime from 'spacetimedb2';
import type * as ConnIdModule from '../../../node_modules/spacetimedb2/dist/lib/connection_id.js';
import type * as ErrorsModule from '../../../node_modules/spacetimedb2/dist/lib/errors.js';
import type * as IdentityModule from '../../../node_modules/spacetimedb2/dist/lib/identity.js';
import type * as QueryModule from '../../../node_modules/spacetimedb2/dist/lib/query.js';
import type * as TimestampModule from '../../../node_modules/spacetimedb2/dist/lib/timestamp.js';
import type * as SdkModule from '../../../node_modules/spacetimedb2/dist/sdk/index.js';

const sdk = runtime as unknown as typeof SdkModule &
  typeof ConnIdModule &
  typeof ErrorsModule &
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
  SenderError,
  InternalError,
  getGlobalLogLevel,
  setGlobalLogLevel,
} = sdk;

export type {
  DbConnectionConfig,
  ErrorContextInterface,
  EventContextInterface,
  ReducerEventContextInterface,
  RemoteModule,
  SubscriptionEventContextInterface,
  SubscriptionHandleImpl,
  Infer,
} from '../../../node_modules/spacetimedb2/dist/sdk/index.js';
export type { QueryBuilder } from '../../../node_modules/spacetimedb2/dist/lib/query.js';
export type Identity = IdentityModule.Identity;
export type Timestamp = TimestampModule.Timestamp;
export type ConnectionId = ConnIdModule.ConnectionId;
export type SenderError = ErrorsModule.SenderError;
export type InternalError = ErrorsModule.InternalError;
