/**
 * @module
 * Row builder of the public table `player` of `modules/fixtures/ws`: columns in declaration
 * order (the BSATN field order); only the primary key is marked on the column, the other indexes
 * are listed on the table in `index.ts`.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default __t.row({
  id: __t.u32().primaryKey(),
  team: __t.u32(),
  name: __t.string(),
  score: __t.i64(),
});
