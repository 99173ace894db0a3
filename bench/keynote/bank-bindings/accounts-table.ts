/**
 * @module
 * The row of the bank module's `accounts` table (`modules/bank`), written by hand the way
 * `spacetime generate --lang typescript` (2.x) writes a `<table>_table.ts`: columns in
 * declaration order, which is the BSATN field order — `id u32` (primary key), `balance i64`,
 * as `GET /v1/database/bank/schema?version=9` reports them.
 */
import { t } from './sdk2.js';

export const AccountsRow = t.row({
  id: t.u32().primaryKey(),
  balance: t.i64(),
});

/** An `accounts` row as the SDK hands it out. */
export interface Account {
  id: number;
  balance: bigint;
}
