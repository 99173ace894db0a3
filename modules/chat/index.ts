// The chat module: users with names and online status, and messages.
import { Table, ReducerContext, Identity, Timestamp, log } from "../../sdk/assembly";

@table("user") @publicTable
class User {
  @primaryKey identity: Identity = new Identity();
  name: string | null = null;
  online: bool = false;
}

@table("message") @publicTable
class Message {
  @index sender: Identity = new Identity();
  sent: Timestamp = new Timestamp();
  text: string = "";
}

const users = new Table<User>("user");

function validateName(name: string): string | null {
  if (name.length == 0) return "Names must not be empty";
  if (name.length > 64) return "Names must be at most 64 characters";
  return null;
}

/** Sets the caller's display name. */
@reducer
export function set_name(ctx: ReducerContext, name: string): string | null {
  const invalid = validateName(name);
  if (invalid !== null) return invalid;
  const user = users.find<Identity>("identity", ctx.sender);
  if (user === null) return "Cannot set name for unknown user";
  user.name = name;
  users.update(user);
  return null;
}

/** Posts a message as the caller. */
@reducer
export function send_message(ctx: ReducerContext, text: string): string | null {
  if (text.length == 0) return "Messages must not be empty";
  if (text.length > 1000) return "Messages must be at most 1000 characters";
  const m = new Message();
  m.sender = ctx.sender;
  m.sent = ctx.timestamp;
  m.text = text;
  ctx.db.table<Message>("message").insert(m);
  ctx.log.info(ctx.sender.short() + ": " + text);
  return null;
}

@clientConnected
export function client_connected(ctx: ReducerContext): void {
  const user = users.find<Identity>("identity", ctx.sender);
  if (user !== null) {
    user.online = true;
    users.update(user);
  } else {
    const u = new User();
    u.identity = ctx.sender;
    u.online = true;
    users.insert(u);
  }
}

@clientDisconnected
export function client_disconnected(ctx: ReducerContext): void {
  const user = users.find<Identity>("identity", ctx.sender);
  if (user === null) {
    log.warn("disconnect from unknown user " + ctx.sender.short());
    return;
  }
  user.online = false;
  users.update(user);
}
