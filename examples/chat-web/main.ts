/**
 * The chat demo's page (`wasmbase start --example chat`, then open the server's `/`): a
 * browser client of `modules/chat` on the official SpacetimeDB TypeScript SDK 2.x, through the
 * bindings `wasmbase generate --lang typescript --wasm modules/chat/build/chat.wasm` wrote into
 * `module_bindings/`. esbuild bundles it into `build/main.js` when the example starts.
 *
 * It connects to the server that served it, keeps its token in localStorage (the same browser
 * is the same user after a reload), subscribes to every user and message, and re-renders from
 * the SDK's client cache whenever a row arrives. Setting a name and sending a message are
 * reducer calls; a refused one (empty name, message too long) shows the module's message.
 * Text goes into the page through `textContent` only.
 */
import type { Identity, Infer } from 'spacetimedb';
import { DbConnection, type EventContext } from './module_bindings';
import type MessageRow from './module_bindings/message_table';
import type UserRow from './module_bindings/user_table';

type Message = Infer<typeof MessageRow>;
type User = Infer<typeof UserRow>;

const TOKEN_KEY = 'wasmbase-chat-token';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id}`);
  return el;
}

const status = element('status', HTMLParagraphElement);
const messages = element('messages', HTMLOListElement);
const users = element('users', HTMLUListElement);
const nameForm = element('name-form', HTMLFormElement);
const nameInput = element('name-input', HTMLInputElement);
const messageForm = element('message-form', HTMLFormElement);
const messageInput = element('message-input', HTMLInputElement);

/** Shows a status line; `state` is also put on <body> (styles and tests read it). */
function show(text: string, state?: 'ready' | 'error' | 'closed'): void {
  status.textContent = text;
  if (state !== undefined) document.body.dataset['state'] = state;
}

function shortId(identity: Identity): string {
  return identity.toHexString().slice(0, 8);
}

function nameOf(conn: DbConnection, identity: Identity): string {
  return conn.db.user.identity.find(identity)?.name ?? shortId(identity);
}

function messageItem(conn: DbConnection, m: Message): HTMLLIElement {
  const li = document.createElement('li');
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = m.sent.toDate().toLocaleTimeString();
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = nameOf(conn, m.sender) + ':';
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = m.text;
  li.append(time, sender, text);
  return li;
}

function render(conn: DbConnection): void {
  const all = [...conn.db.message.iter()].sort((a, b) =>
    a.sent.microsSinceUnixEpoch < b.sent.microsSinceUnixEpoch ? -1 : 1,
  );
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 4;
  messages.replaceChildren(...all.map(m => messageItem(conn, m)));
  if (atBottom) messages.scrollTop = messages.scrollHeight;
  const online = [...conn.db.user.iter()].filter((u: User) => u.online);
  users.replaceChildren(
    ...online.map(u => {
      const li = document.createElement('li');
      li.textContent = u.name ?? shortId(u.identity);
      return li;
    }),
  );
}

/** Runs a reducer call on submit: clears `input` and runs `done`, or shows the refusal. */
function submit(
  form: HTMLFormElement,
  input: HTMLInputElement,
  call: () => Promise<void>,
  done: () => void,
): void {
  form.addEventListener('submit', event => {
    event.preventDefault();
    call().then(
      () => {
        input.value = '';
        done();
      },
      (err: unknown) => show(err instanceof Error ? err.message : String(err)),
    );
  });
}

function onConnected(conn: DbConnection, identity: Identity, token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  const rerender = (_ctx: EventContext) => render(conn);
  conn.db.message.onInsert(rerender);
  conn.db.user.onInsert(rerender);
  conn.db.user.onUpdate(rerender);
  conn.db.user.onDelete(rerender);
  const ready = () => show(`connected as ${nameOf(conn, identity)}`, 'ready');
  conn
    .subscriptionBuilder()
    .onApplied(() => {
      render(conn);
      ready();
    })
    .onError(() => show('the subscription failed', 'error'))
    .subscribe(['SELECT * FROM user', 'SELECT * FROM message']);
  const name = () => conn.reducers.setName({ name: nameInput.value.trim() });
  const send = () => conn.reducers.sendMessage({ text: messageInput.value });
  submit(nameForm, nameInput, name, ready);
  submit(messageForm, messageInput, send, ready);
}

const stored = localStorage.getItem(TOKEN_KEY) ?? undefined;
DbConnection.builder()
  .withUri(location.origin)
  .withDatabaseName('chat')
  .withToken(stored)
  .onConnect(onConnected)
  .onConnectError((_ctx, err) => {
    if (stored !== undefined) {
      // A token from another server (or a wiped data directory): start over as a new user.
      localStorage.removeItem(TOKEN_KEY);
      location.reload();
      return;
    }
    show(`cannot connect: ${err.message}`, 'error');
  })
  .onDisconnect(() => show('disconnected: reload the page to reconnect', 'closed'))
  .build();
