/**
 * @module
 * Row types of `modules/chat`, written by hand the way `spacetime generate` (1.x) would: columns
 * in declaration order (the BSATN field order); `name` is an `Option<String>`.
 */
import { t, type Identity, type Timestamp } from '../sdk.js';

export const UserRow = t.row({
  identity: t.identity().primaryKey(),
  name: t.option(t.string()),
  online: t.bool(),
});

/** No primary key: the SDK keys its rows by their bytes, so `onUpdate` never fires here. */
export const MessageRow = t.row({
  sender: t.identity().index('btree'),
  sent: t.timestamp(),
  text: t.string(),
});

/* The rows as the SDK hands them out (see ../ws-fixture/tables.ts for why they are spelled out). */
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
