/**
 * @module
 * Row builder of the public table `user` of `modules/chat`: an `Identity` primary key, an
 * optional name (`Option<String>`) and the online flag, in BSATN order.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default __t.row({
  identity: __t.identity().primaryKey(),
  name: __t.option(__t.string()),
  online: __t.bool(),
});
