// The bank module: the workload of SpacetimeDB's "keynote" benchmark.
import { Table, ReducerContext } from "../../sdk/assembly";

@table("accounts") @publicTable
class Account {
  @primaryKey id: u32 = 0;
  balance: i64 = 0;
}

const accounts = new Table<Account>("accounts");

/** Replaces every account with `n` accounts (ids 0..n-1) holding `initial` each. */
@reducer
export function seed(ctx: ReducerContext, n: u32, initial: i64): string | null {
  if (initial < 0) return "negative_initial_balance";
  accounts.clear();
  const row = new Account();
  for (let id: u32 = 0; id < n; id++) {
    row.id = id;
    row.balance = initial;
    accounts.insert(row);
  }
  return null;
}

/** Moves `amount` from one account to another. */
@reducer
export function transfer(ctx: ReducerContext, from: u32, to: u32, amount: i64): string | null {
  if (from == to) return "same_account";
  if (amount <= 0) return "non_positive_amount";
  const a = accounts.id.find(from);
  const b = accounts.id.find(to);
  if (a === null || b === null) return "account_missing";
  if (a.balance < amount) return "insufficient_funds";
  a.balance -= amount;
  b.balance += amount;
  accounts.update(a);
  accounts.update(b);
  return null;
}
