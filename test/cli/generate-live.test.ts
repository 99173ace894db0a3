/**
 * @module
 * Generated bindings, live: `wasmbase generate --lang typescript` for an example module, the
 * output type-checked by `tsc` (strict, `noEmit`) with a small client using it, then loaded as
 * it is and driven by the official SDK 2.x against a real server: connect, subscribe, call the
 * module's reducers through the generated functions, and see the rows arrive in the generated
 * table handles (typed accessors and unique-index lookups included).
 *
 * The bindings import `spacetimedb`, which in this repository is SDK 1.x; the output folder gets
 * its own `node_modules/spacetimedb` link to the 2.x alias (`spacetimedb2`), which is what a
 * project of its own has. Vitest loads the TypeScript files with their extensionless imports.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const api = client(server);
const home = tempDir();
const run = cliRunner(home, server.url);

/** Generates the bindings of `modules/<module>` into `<home>/<module>/bindings`. */
async function generate(module: string): Promise<string> {
  const dir = path.join(home, module);
  const out = path.join(dir, 'bindings');
  const wasm = path.join(ROOT, `modules/${module}/build/${module}.wasm`);
  const r = await run(['generate', '--lang', 'typescript', '--out', out, '--wasm', wasm]);
  expect(r.code, r.stderr).toBe(0);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(
    path.join(ROOT, 'node_modules/spacetimedb2'),
    path.join(dir, 'node_modules/spacetimedb'),
  );
  return dir;
}

/** Type-checks `dir` (the bindings and `use.ts`) with tsc; the compiler's output, '' if clean. */
function tsc(dir: string, use: string[]): string {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['bindings/**/*.ts', 'use.ts'],
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  writeFileSync(path.join(dir, 'use.ts'), use.join('\n') + '\n');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]);
    return '';
  } catch (err) {
    return String((err as { stdout?: Buffer }).stdout);
  }
}

/** What the tests use of a generated `DbConnection` (tsc checks the real types above). */
interface Table<Row> {
  iter(): Iterable<Row>;
  count(): bigint;
  onInsert(cb: (ctx: unknown, row: Row) => void): void;
}
interface Conn<Db, Reducers> {
  readonly db: Db;
  readonly reducers: Reducers;
  readonly identity?: { toHexString(): string };
  subscriptionBuilder(): {
    onApplied(cb: () => void): { subscribe(queries: string[]): unknown };
  };
  disconnect(): void;
}
interface Bindings<C> {
  readonly DbConnection: { builder(): Builder<C> };
}
interface Builder<C> {
  withUri(uri: string): Builder<C>;
  withDatabaseName(name: string): Builder<C>;
  onConnect(cb: (conn: C) => void): Builder<C>;
  onConnectError(cb: (ctx: unknown, err: Error) => void): Builder<C>;
  build(): unknown;
}

/** Loads the generated `index.ts` as it is, connects to `db` and subscribes to `queries`. */
async function connect<D, R>(dir: string, db: string, queries: string[]): Promise<Conn<D, R>> {
  const bindings = (await import(path.join(dir, 'bindings/index.ts'))) as Bindings<Conn<D, R>>;
  const conn = await new Promise<Conn<D, R>>((resolve, reject) => {
    bindings.DbConnection.builder()
      .withUri(server.url)
      .withDatabaseName(db)
      .onConnect(resolve)
      .onConnectError((_ctx, err) => reject(err))
      .build();
  });
  await new Promise<void>(resolve =>
    conn.subscriptionBuilder().onApplied(resolve).subscribe(queries),
  );
  return conn;
}

async function publish(db: string, module: string): Promise<void> {
  const r = await run(['publish', db, path.join(ROOT, `modules/${module}/build/${module}.wasm`)]);
  expect(r.code, r.stderr).toBe(0);
}

describe('generated bindings with the official SDK 2.x, live', () => {
  it('quickstart: tsc accepts them; connect, subscribe, call add, see the row', async () => {
    const dir = await generate('quickstart');
    const use = [
      "import { DbConnection } from './bindings';",
      "const c = DbConnection.builder().withUri('ws://x').withDatabaseName('q').build();",
      "void c.reducers.add({ name: 'Ada' });",
      'c.db.person.onInsert((_ctx, row) => { const n: string = row.name; void n; });',
    ];
    expect(tsc(dir, use)).toBe('');
    // A wrong argument type is a compile error at the call (line 5 of use.ts).
    expect(tsc(dir, [...use, 'void c.reducers.add({ name: 7 });'])).toMatch(/use\.ts\(5,\d+\)/);

    await publish('live-qs', 'quickstart');
    const call = await api.json('POST', '/v1/database/live-qs/call/add', {
      body: '["Grace"]',
      contentType: 'application/json',
    });
    expect(call.status).toBe(200);
    type Person = { name: string };
    const conn = await connect<{ person: Table<Person> }, { add(args: Person): Promise<void> }>(
      dir,
      'live-qs',
      ['SELECT * FROM person'],
    );
    try {
      expect([...conn.db.person.iter()]).toEqual([{ name: 'Grace' }]);
      const inserted: string[] = [];
      conn.db.person.onInsert((_ctx, row) => inserted.push(row.name));
      await conn.reducers.add({ name: 'Ada' });
      // The caller's own rows are applied when the call's promise resolves.
      const names = [...conn.db.person.iter()].map(p => p.name).sort();
      expect(names).toEqual(['Ada', 'Grace']);
      expect(inserted).toEqual(['Ada']);
      // A refusal rejects with the module's message and changes nothing.
      await expect(conn.reducers.add({ name: '' })).rejects.toThrow('name must not be empty');
      expect(conn.db.person.count()).toBe(2n);
    } finally {
      conn.disconnect();
    }
  }, 120_000);

  it('chat: identity keys, options and timestamps through the generated handles', async () => {
    const dir = await generate('chat');
    const use = [
      "import { DbConnection } from './bindings';",
      "const c = DbConnection.builder().withUri('ws://x').withDatabaseName('c').build();",
      'const me = c.identity!;',
      'const name: string | undefined = c.db.user.identity.find(me)?.name;',
      "void name; void c.reducers.setName({ name: 'Ada' });",
    ];
    expect(tsc(dir, use)).toBe('');
    expect(tsc(dir, [...use, 'c.db.user.identity.find(1);'])).toMatch(/use\.ts\(6,\d+\)/);

    await publish('live-chat', 'chat');
    type Id = { toHexString(): string };
    type User = { identity: Id; name: string | undefined; online: boolean };
    type Message = { sender: Id; sent: { toDate(): Date }; text: string };
    type UserTable = Table<User> & { identity: { find(id: Id): User | undefined } };
    const conn = await connect<
      { user: UserTable; message: Table<Message> },
      {
        setName(a: { name: string }): Promise<void>;
        sendMessage(a: { text: string }): Promise<void>;
      }
    >(dir, 'live-chat', ['SELECT * FROM user', 'SELECT * FROM message']);
    try {
      const me = conn.identity!;
      // client_connected inserted the caller's user row, without a name.
      expect(conn.db.user.identity.find(me)).toMatchObject({ name: undefined, online: true });
      await conn.reducers.setName({ name: 'Ada' });
      expect(conn.db.user.identity.find(me)?.name).toBe('Ada');
      const before = Date.now();
      await conn.reducers.sendMessage({ text: 'hello' });
      const [message] = [...conn.db.message.iter()];
      expect(message?.text).toBe('hello');
      expect(message?.sender.toHexString()).toBe(me.toHexString());
      expect(Math.abs(message!.sent.toDate().getTime() - before)).toBeLessThan(60_000);
      await expect(conn.reducers.setName({ name: '' })).rejects.toThrow('Names must not be empty');
    } finally {
      conn.disconnect();
    }
  }, 120_000);
});
