/**
 * @module
 * The named product types of `modules/chat` (one per table class), with the row types the SDK
 * hands out.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x; not
 * generated.
 */
import { t as __t, type Identity, type Timestamp } from '../sdk.js';

export const User = __t.object('User', {
  identity: __t.identity(),
  name: __t.option(__t.string()),
  online: __t.bool(),
});
export const Message = __t.object('Message', {
  sender: __t.identity(),
  sent: __t.timestamp(),
  text: __t.string(),
});

/* Spelled out instead of `__Infer<typeof User>` (see ../ws-fixture/types.ts). */
export interface User {
  identity: Identity;
  /** `Option<String>`: undefined for none. */
  name: string | undefined;
  online: boolean;
}
export interface Message {
  sender: Identity;
  sent: Timestamp;
  text: string;
}
