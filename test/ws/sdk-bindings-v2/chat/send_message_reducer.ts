/**
 * @module
 * Parameters of the reducer `send_message` of `modules/chat`.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default {
  text: __t.string(),
};
