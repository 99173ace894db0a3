/**
 * @module
 * Row builder of the public table `team` of `modules/fixtures/ws` (columns in BSATN order).
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default __t.row({
  id: __t.u32().primaryKey(),
  name: __t.string(),
});
