/**
 * `wasmbase subscribe` against a real server: the initial rows as a table, a change after a call,
 * `--json` lines with exact row texts, stopping on Ctrl-C and `--timeout` (exit 0), and the
 * failures: a bad query or an unknown database (exit 1), bad flags (exit 2).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner, cliSpawn } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const home = tempDir();
const run = cliRunner(home, server.url);
const wasm = (m: string) => path.join(ROOT, `modules/${m}/build/${m}.wasm`);
const subscribe = (args: string[]) => cliSpawn(home, server.url, ['subscribe', ...args]);
const SUBSCRIBED = /subscribed to \d+ quer/;

async function publish(db: string, module: string): Promise<void> {
  const r = await run(['publish', db, wasm(module)]);
  expect(r.code, r.stderr).toBe(0);
}

describe('wasmbase subscribe', () => {
  it('prints the initial rows as a table, then a change after a call (-n 1 ends it)', async () => {
    await publish('subq', 'quickstart');
    expect((await run(['call', 'subq', 'add', 'Ada'])).code).toBe(0);
    const sub = subscribe(['subq', 'SELECT * FROM person', '-n', '1']);
    await sub.until('stderr', SUBSCRIBED);
    expect((await run(['call', 'subq', 'add', 'Grace'])).code).toBe(0);
    expect(await sub.exited).toBe(0);
    expect(sub.stdout()).toBe('person\nname\n----\nAda\n(1 row)\n+ person: {"name":"Grace"}\n');
    expect(sub.stderr()).toContain('subscribed to 1 query; printing changes until Ctrl-C');
  }, 60_000);

  it('--json: one line per row, identities and timestamps as the server sent them', async () => {
    await publish('subchat', 'chat');
    const me = (await run(['identity', 'show'])).stdout.trim();
    const sub = subscribe(['subchat', 'SELECT * FROM message', '--json', '-n', '1']);
    await sub.until('stderr', SUBSCRIBED);
    expect(sub.stdout()).toBe(''); // no messages yet
    expect((await run(['call', 'subchat', 'send_message', 'hello there'])).code).toBe(0);
    expect(await sub.exited).toBe(0);
    const lines = sub.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as {
      event: string;
      table: string;
      row: { sender: { __identity__: string }; sent: Record<string, number>; text: string };
    };
    expect(line).toMatchObject({ event: 'insert', table: 'message', row: { text: 'hello there' } });
    expect(line.row.sender.__identity__).toBe(`0x${me}`);
    const micros = line.row.sent['__timestamp_micros_since_unix_epoch__']!;
    expect(Math.abs(micros / 1000 - Date.now())).toBeLessThan(10 * 60_000);

    // The same row in table form: the identity as hex, the timestamp as ISO 8601.
    const table = subscribe(['subchat', 'SELECT * FROM message', '--timeout', '1']);
    expect(await table.exited).toBe(0);
    const iso = new Date(micros / 1000).toISOString().slice(0, 19);
    expect(table.stdout()).toContain(`0x${me} | ${iso}`);
    expect(table.stdout()).toMatch(/\| hello there\n\(1 row\)\n$/);
  }, 60_000);

  it('several queries in one subscription; Ctrl-C stops it with exit code 0', async () => {
    await publish('subtwo', 'quickstart');
    expect((await run(['call', 'subtwo', 'add', 'Lin'])).code).toBe(0);
    const sub = subscribe([
      'subtwo',
      "SELECT * FROM person WHERE name = 'Lin'",
      'SELECT * FROM person',
    ]);
    await sub.until('stderr', /subscribed to 2 queries/);
    sub.kill('SIGINT');
    expect(await sub.exited).toBe(0);
    expect(sub.stdout()).toMatch(/^person\nname\n----\nLin\n/);
  }, 60_000);

  it('a bad query or an unknown database: a clear message and exit code 1', async () => {
    await publish('subbad', 'quickstart');
    const bad = await run(['subscribe', 'subbad', 'SELECT * FROM nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('wasmbase: the subscription was refused: no such table "nope"');
    expect(bad.stdout).toBe('');
    const parse = await run(['subscribe', 'subbad', 'SELEC * FROM person']);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toContain('the subscription was refused');
    const missing = await run(['subscribe', 'no-such-db', 'SELECT * FROM person']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('(DATABASE_NOT_FOUND) [HTTP 404]');
    const down = await run(['subscribe', 'subbad', 'SELECT * FROM person'], {
      env: { WASMBASE_SERVER: 'http://127.0.0.1:1' },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('no server at http://127.0.0.1:1');
  }, 60_000);

  it('the database deleted under it: the server closes the socket, exit code 1', async () => {
    await publish('subgone', 'quickstart');
    const sub = subscribe(['subgone', 'SELECT * FROM person']);
    await sub.until('stderr', SUBSCRIBED);
    const deleted = await run(['delete', 'subgone']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await sub.exited).toBe(1);
    expect(sub.stderr()).toMatch(/wasmbase: the server closed the subscription \(\d{4}/);
  }, 60_000);

  it('bad flags and a missing query are usage errors (exit code 2)', async () => {
    const timeout = await run(['subscribe', 'subq', 'SELECT * FROM person', '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout must be a positive number, got "soon"');
    const n = await run(['subscribe', 'subq', 'SELECT * FROM person', '-n', '1.5']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('--num-updates must be a positive integer');
    expect((await run(['subscribe', 'subq'])).code).toBe(2);
    const help = await run(['subscribe', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("wasmbase subscribe quickstart 'SELECT * FROM person'");
  }, 60_000);
});
