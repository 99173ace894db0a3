/**
 * @module
 * Parameters of the reducer `set_name` of `modules/chat`.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default {
  name: __t.string(),
};
