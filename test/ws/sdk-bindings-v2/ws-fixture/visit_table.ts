/**
 * @module
 * Row builder of the public table `visit` of `modules/fixtures/ws`: an `Identity` primary key
 * and the connect/disconnect counts the lifecycle reducers keep.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default __t.row({
  who: __t.identity().primaryKey(),
  connects: __t.u32(),
  disconnects: __t.u32(),
});
