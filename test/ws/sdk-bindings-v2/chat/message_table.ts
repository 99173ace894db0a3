/**
 * @module
 * Row builder of the public table `message` of `modules/chat`: no primary key (the SDK keys
 * its rows by their bytes, so `onUpdate` never fires), an index on `sender`.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x (one file
 * per table and per reducer, `types.ts`, `types/`, `index.ts`); not generated.
 */
import { t as __t } from '../sdk.js';

export default __t.row({
  sender: __t.identity(),
  sent: __t.timestamp(),
  text: __t.string(),
});
