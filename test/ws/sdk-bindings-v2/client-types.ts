/**
 * @module
 * The typed client surface of SDK 2.x that the hand-written bindings declare for their
 * `DbConnection`: table handles with row callbacks and index lookups, and the event and context
 * a row callback runs with. (Reducer calls, which return the promise of their `ReducerResult`,
 * are declared per module.)
 *
 * The generated bindings get these types from the SDK's own declarations, which infer them from
 * the remote module. Under NodeNext those declarations only partly resolve (see ./sdk.ts), and
 * the SDK's `db` and `reducers` come out as `any`; so the bindings spell out what the SDK hands
 * out at run time (read from `src/sdk/client_table.ts`, `table_cache.ts`, `event.ts` and
 * `reducers.ts` of `spacetimedb@2.10.1`) and declare it on `DbConnection`, as the generator itself
 * does with `declare db: DbView` when it adds table aliases. The query builder keeps the SDK's
 * own types, which do resolve.
 */
import type { Timestamp } from './sdk.js';

/** What caused a row callback (`src/sdk/event.ts`). */
export type SdkEvent = { readonly id: string } & (
  | {
      readonly tag: 'Reducer';
      readonly value: {
        readonly timestamp: Timestamp;
        readonly outcome: { readonly tag: string };
        readonly reducer: { readonly name: string; readonly args: object };
      };
    }
  | { readonly tag: 'SubscribeApplied' }
  | { readonly tag: 'UnsubscribeApplied' }
  | { readonly tag: 'Error'; readonly value: Error }
  | { readonly tag: 'Transaction' }
);

/** The context of a row callback: the event, and the connection's views. */
export interface EventContext<Db, Reducers> {
  readonly event: SdkEvent;
  readonly db: Db;
  readonly reducers: Reducers;
  readonly isActive: boolean;
}

/** A table in the client cache, without a primary key: inserts and deletes only. */
export interface ClientTable<Row, Ctx> {
  count(): bigint;
  iter(): IteratorObject<Row, undefined>;
  onInsert(cb: (ctx: Ctx, row: Row) => void): void;
  removeOnInsert(cb: (ctx: Ctx, row: Row) => void): void;
  onDelete(cb: (ctx: Ctx, row: Row) => void): void;
  removeOnDelete(cb: (ctx: Ctx, row: Row) => void): void;
}

/** A table with a primary key: a delete and an insert of one key in one message is an update. */
export interface KeyedClientTable<Row, Ctx> extends ClientTable<Row, Ctx> {
  onUpdate(cb: (ctx: Ctx, oldRow: Row, newRow: Row) => void): void;
  removeOnUpdate(cb: (ctx: Ctx, oldRow: Row, newRow: Row) => void): void;
}

/** An index that shares its columns with a unique constraint. */
export interface UniqueIndex<Row, Key> {
  find(key: Key): Row | null;
}

/** Any other btree index. */
export interface RangedIndex<Row, Key> {
  filter(key: Key): IteratorObject<Row, undefined>;
}
