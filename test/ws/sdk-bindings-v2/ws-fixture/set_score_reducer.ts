/**
 * @module
 * Parameters of the reducer `set_score` of `modules/fixtures/ws`, in declaration order (the
 * BSATN order of its argument product).
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default {
  id: __t.u32(),
  score: __t.i64(),
};
