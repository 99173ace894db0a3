/** The CLI's identity, server, database and describe commands against a real server. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const configHome = tempDir();
const configFile = path.join(configHome, 'wasmbase', 'cli.json');
const run = cliRunner(configHome, server.url);
const wasm = (m: string) => path.join(ROOT, `modules/${m}/build/${m}.wasm`);

describe('wasmbase identity', () => {
  it('new never discards an identity; list, use, show, export and import', async () => {
    const first = (await run(['identity', 'new'])).stdout.trim();
    const second = (await run(['identity', 'new'])).stdout.trim();
    expect(first).toMatch(/^c200[0-9a-f]{60}$/);
    expect(second).not.toBe(first);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect((await run(['identity', 'list'])).stdout).toBe(`  ${first}\n* ${second}\n`);
    expect(JSON.parse((await run(['identity', 'list', '--json'])).stdout)).toEqual([
      { identity: first, current: false },
      { identity: second, current: true },
    ]);
    expect((await run(['identity', 'use', first.slice(0, 20)])).code).toBe(0);
    expect((await run(['identity', 'show'])).stdout).toBe(first + '\n');
    const token = (await run(['identity', 'export'])).stdout.trim();
    expect((await server.tokens.verify(token)).identity.toHex()).toBe(first);

    const minted = await server.tokens.mintIdentity();
    const imported = await run(['identity', 'import', minted.token]);
    expect(imported.stdout.trim()).toBe(minted.identity.toHex());
    expect((await run(['identity', 'show'])).stdout.trim()).toBe(minted.identity.toHex());
    expect(JSON.parse((await run(['identity', 'list', '--json'])).stdout)).toHaveLength(3);
    // Back to the first for the rest of the file.
    expect((await run(['identity', 'use', first])).code).toBe(0);
  }, 60_000);

  it('refuses unknown identities and non-tokens with exit code 2', async () => {
    const unknown = await run(['identity', 'use', 'ffff']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no stored identity starts with "ffff"');
    const bad = await run(['identity', 'import', 'not-a-token']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a wasmbase token');
  }, 60_000);
});

describe('database commands', () => {
  it('publish, describe, sql (table and --json), name, list and delete', async () => {
    const published = await run(['publish', 'qsdb', wasm('quickstart'), '--json']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toMatch(/created database "qsdb" \([0-9a-f]{64}\)/);
    const dbId = JSON.parse(published.stdout).Success.database_identity as string;
    expect((await run(['call', 'qsdb', 'add', 'Ada'])).code).toBe(0);
    expect((await run(['call', 'qsdb', 'add', 'Grace'])).code).toBe(0);

    const table = await run(['sql', 'qsdb', 'SELECT name FROM person ORDER BY name']);
    expect(table.stdout).toBe('name\n-----\nAda\nGrace\n(2 rows)\n');
    const json = await run(['sql', 'qsdb', 'SELECT name FROM person ORDER BY name', '--json']);
    expect(JSON.parse(json.stdout).rows).toEqual([['Ada'], ['Grace']]);

    const described = JSON.parse((await run(['describe', 'qsdb', '--json'])).stdout);
    expect(described.tables).toEqual([
      {
        name: 'person',
        public: true,
        primaryKey: null,
        columns: [{ name: 'name', type: 'string' }],
        indexes: [],
      },
    ]);
    expect(described.reducers.map((r: { name: string }) => r.name)).toEqual(['add', 'say_hello']);
    expect(described.reducers[0].params).toEqual([{ name: 'name', type: 'string' }]);
    const text = (await run(['describe', 'qsdb', 'add'])).stdout;
    expect(text).toBe('reducer add(name: string)\n');
    const missing = await run(['describe', 'qsdb', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no table or reducer named "nope"');

    expect((await run(['name', 'add', 'qsdb', 'hello'])).code).toBe(0);
    expect(JSON.parse((await run(['name', 'list', 'qsdb', '--json'])).stdout)).toEqual([
      'qsdb',
      'hello',
    ]);
    expect(JSON.parse((await run(['list', '--json'])).stdout)).toEqual([
      { identity: dbId, names: ['qsdb', 'hello'] },
    ]);
    expect((await run(['delete', 'hello'])).code).toBe(0);
    expect(server.engine.resolve('qsdb')).toBeUndefined();
    expect(JSON.parse((await run(['list', '--json'])).stdout)).toEqual([]);
  }, 60_000);

  it('a refused migration lists every reason and the --clear flag', async () => {
    expect((await run(['publish', 'mig', wasm('quickstart')])).code).toBe(0);
    expect((await run(['call', 'mig', 'add', 'Ada'])).code).toBe(0);
    const refused = await run(['publish', 'mig', wasm('bank')]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('(MIGRATION_REFUSED)');
    expect(refused.stderr).toMatch(/\n {2}- .*person/);
    expect(refused.stderr).toContain('Republish with --clear');
    expect(refused.stderr).not.toContain('clear=true');
    const cleared = await run(['publish', 'mig', wasm('bank'), '--clear']);
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toContain('cleared and updated database "mig"');
  }, 60_000);
});

describe('wasmbase server', () => {
  it('add, list, set-default, ping and remove', async () => {
    expect((await run(['server', 'add', 'here', server.url + '/'])).code).toBe(0);
    expect((await run(['server', 'set-default', 'here'])).code).toBe(0);
    const listed = JSON.parse((await run(['server', 'list', '--json'])).stdout);
    expect(listed).toContainEqual(
      expect.objectContaining({ url: server.url, nicknames: ['here'], default: true }),
    );
    const ping = await run(['server', 'ping'], { env: { WASMBASE_SERVER: '' } });
    expect(ping.stdout).toMatch(new RegExp(`^${server.url} is up \\(\\d+ ms\\)\\n$`));
    // The nickname works wherever a server is taken.
    expect((await run(['identity', 'show', '--server', 'here'])).code).toBe(0);
    expect((await run(['server', 'remove', 'here'])).code).toBe(0);
    const gone = await run(['identity', 'show', '--server', 'here']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no server nicknamed "here"');
    const bad = await run(['server', 'add', '1x', 'http://h']);
    expect(bad.code).toBe(2);
    const stored = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(stored.nicknames).toEqual({});
  }, 60_000);
});

describe('usage', () => {
  it('exit codes: 0 for --help (with examples), 2 for unknown commands and bad values', async () => {
    const help = await run(['call', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:\n  $ wasmbase call quickstart add Alice');
    const unknown = await run(['publsh']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean publish?');
    const badLines = await run(['logs', 'qsdb', '-n', 'x']);
    expect(badLines.code).toBe(2);
    const noProject = await run(['build'], { cwd: configHome });
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toContain('wasmbase init');
  }, 60_000);
});
