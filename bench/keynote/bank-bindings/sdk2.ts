/**
 * @module
 * The official SpacetimeDB SDK 2.x (npm alias `spacetimedb2`, the package `spacetimedb` 2.10.1)
 * with its types. Values come from the package root at run time. Its root declaration file
 * re-exports through extensionless paths, which NodeNext resolution refuses inside an ESM
 * package, so TypeScript sees that root as empty; the declaration files of its `sdk/` and
 * `lib/` folders do resolve, so the root module is typed from them, after a run-time check that
 * it has every member taken below (a newer SDK that renames one fails here, by name).
 */
import * as root from 'spacetimedb2';
import type * as QueryModule from '../../../node_modules/spacetimedb2/dist/lib/query.js';
import type * as SdkModule from '../../../node_modules/spacetimedb2/dist/sdk/index.js';

type Sdk = typeof SdkModule & typeof QueryModule;

const MEMBERS = [
  't',
  'schema',
  'table',
  'reducerSchema',
  'reducers',
  'procedures',
  'convertToAccessorMap',
  'makeQueryBuilder',
  'DbConnectionBuilder',
  'DbConnectionImpl',
  'SubscriptionBuilderImpl',
  'SenderError',
  'InternalError',
  'setGlobalLogLevel',
] as const satisfies readonly (keyof Sdk)[];

function isSdk(module: object): module is Sdk {
  return MEMBERS.every(name => name in module);
}

function checkedSdk(module: object): Sdk {
  if (!isSdk(module)) {
    const missing = MEMBERS.filter(name => !(name in module));
    throw new Error(`spacetimedb2 (SDK 2.x) lacks ${missing.join(', ')}`);
  }
  return module;
}

const sdk = checkedSdk(root);

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
  SenderError,
  InternalError,
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
} from '../../../node_modules/spacetimedb2/dist/sdk/index.js';
export type { QueryBuilder } from '../../../node_modules/spacetimedb2/dist/lib/query.js';
