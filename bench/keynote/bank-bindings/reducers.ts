/**
 * @module
 * The parameters of the bank module's reducers, in declaration order (the BSATN order of the
 * argument product), written by hand like the generator's `<reducer>_reducer.ts` files:
 * `seed(n u32, initial i64)` and `transfer(from u32, to u32, amount i64)`.
 */
import { t } from './sdk2.js';

export const SeedParams = {
  n: t.u32(),
  initial: t.i64(),
};

export const TransferParams = {
  from: t.u32(),
  to: t.u32(),
  amount: t.i64(),
};
