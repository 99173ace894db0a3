/** The client commands, run as child processes against a real server. */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCallArgs } from '../../sdk/cli/client-commands.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const configHome = tempDir();
const configFile = path.join(configHome, 'wasmbase', 'cli.json');
const quickstartWasm = path.join(ROOT, 'modules/quickstart/build/quickstart.wasm');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'sdk/cli/wasmbase.mjs'), ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome, WASMBASE_SERVER: server.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>(resolve =>
    child.on('exit', code => resolve({ code, stdout, stderr })),
  );
  const until = async (pattern: RegExp): Promise<void> => {
    for (let i = 0; i < 300 && !pattern.test(stdout); i++)
      await new Promise(r => setTimeout(r, 50));
    if (!pattern.test(stdout)) throw new Error(`no ${pattern} in:\n${stdout}\n${stderr}`);
  };
  return { child, done, until, stdout: () => stdout };
}

const run = (args: string[], env?: Record<string, string>) => cli(args, env).done;

describe('wasmbase client commands', () => {
  it('identity new stores a token for the server, readable by the user only', async () => {
    const r = await run(['identity', 'new']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^c200[0-9a-f]{60}\n$/);
    const stored = JSON.parse(readFileSync(configFile, 'utf8')) as {
      servers: Record<string, { identity: string; token: string }>;
    };
    expect(stored.servers[server.url]!.identity).toBe(r.stdout.trim());
    expect((await server.tokens.verify(stored.servers[server.url]!.token)).identity.toHex()).toBe(
      r.stdout.trim(),
    );
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('publish, call and logs work with the stored identity', async () => {
    const published = await run(['publish', 'quickstart', quickstartWasm, '--json']);
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({
      Success: { domain: 'quickstart', op: 'created' },
    });
    const owner = JSON.parse(readFileSync(configFile, 'utf8')).servers[server.url]
      .identity as string;
    expect(server.engine.resolve('quickstart')!.info.owner.toHex()).toBe(owner);

    expect((await run(['call', 'quickstart', 'add', 'Grace'])).code).toBe(0);
    expect((await run(['call', 'quickstart', 'add', '"Ada"'])).code).toBe(0);
    expect((await run(['call', 'quickstart', 'say_hello'])).code).toBe(0);
    const logs = await run(['logs', 'quickstart', '-n', '3']);
    expect(logs.code).toBe(0);
    expect(
      logs.stdout
        .trim()
        .split('\n')
        .map(l => l.replace(/^\S+\s+INFO /, '')),
    ).toEqual(['say_hello: Hello, Grace!', 'say_hello: Hello, Ada!', 'say_hello: Hello, World!']);

    const sql = await run(['sql', 'quickstart', 'SELECT name FROM person ORDER BY name', '--json']);
    expect(sql.code).toBe(0);
    expect(JSON.parse(sql.stdout).rows).toEqual([['Ada'], ['Grace']]);
  }, 60_000);

  it('reports errors on stderr with exit code 1', async () => {
    const arity = await run(['call', 'quickstart', 'add']);
    expect(arity.code).toBe(1);
    expect(arity.stderr).toContain('takes 1 argument');
    expect(arity.stderr).toContain('[HTTP 400]');
    const foreign = await run(['publish', 'quickstart', quickstartWasm], {
      WASMBASE_TOKEN: (await server.tokens.mintIdentity()).token,
    });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('permission denied');
    const missing = await run(['publish', 'other', '/no/such/file.wasm']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read /no/such/file.wasm');
    const closedPort = await new Promise<number>(resolve => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const down = await run([
      'call',
      'quickstart',
      'say_hello',
      '--server',
      `http://127.0.0.1:${closedPort}`,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `no server at http://127.0.0.1:${closedPort}: start one with "wasmbase start"`,
    );
  }, 60_000);

  it('logs -f streams new lines and exits cleanly when the database is deleted', async () => {
    const follower = cli(['logs', 'quickstart', '-n', '0', '-f']);
    // The follower may not be connected yet when the first call runs: call until a line arrives.
    for (let i = 0; i < 100 && !follower.stdout().includes('Hello, World!'); i++) {
      await run(['call', 'quickstart', 'say_hello']);
      await new Promise(r => setTimeout(r, 50));
    }
    const token = JSON.parse(readFileSync(configFile, 'utf8')).servers[server.url].token as string;
    const deleted = await fetch(`${server.url}/v1/database/quickstart`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(200);
    const r = await follower.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('say_hello: Hello, Grace!');
  }, 60_000);
});

describe('call arguments', () => {
  it('are JSON when they parse, strings otherwise', () => {
    expect(parseCallArgs(['1', '"x"', 'Alice', '[1,2]', 'null', '{"a":1}'])).toEqual([
      1,
      'x',
      'Alice',
      [1, 2],
      null,
      { a: 1 },
    ]);
  });
});
