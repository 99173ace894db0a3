import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const configHome = tempDir();

function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'sdk/cli/wasmbase.mjs'), 'start', ...args],
    {
      env: { ...process.env, XDG_CONFIG_HOME: configHome, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  const until = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    for (let i = 0; i < 300; i++) {
      const m = stdout.match(pattern);
      if (m !== null) return m;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
  };
  return { child, exited, until, output: () => stdout + stderr };
}

describe('wasmbase start', () => {
  it('starts on the given address and data dir, publishes the example, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const cli = startCli(['--listen', '127.0.0.1:0', '--example', 'quickstart'], {
      WASMBASE_DATA_DIR: dataDir,
      WASMBASE_LOG_FORMAT: 'json',
    });
    const [, url] = await cli.until(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await cli.until(/curl -X POST .*\/v1\/database\/quickstart\/call\/add/);
    expect((await fetch(`${url}/v1/ping`)).status).toBe(200);
    const add = await fetch(`${url}/v1/database/quickstart/call/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '["Ada"]',
    });
    expect(add.status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('"msg":"wasmbase stopped"');
  }, 60_000);

  it('refuses a bad option value with exit code 2 and names the flag', async () => {
    const cli = startCli(['--port', 'seventy']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('invalid --port: expected an integer, got "seventy"');
  }, 30_000);

  it("the example's owner is the CLI's identity; a restart says the example is up to date", async () => {
    const dataDir = tempDir();
    const env = { WASMBASE_DATA_DIR: dataDir, WASMBASE_LOG_FORMAT: 'json' };
    const first = startCli(['--listen', '127.0.0.1:0', '--example', 'quickstart'], env);
    const [, url] = await first.until(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await first.until(/Stop with Ctrl-C/);
    expect(first.output()).toContain('published modules/quickstart as database "quickstart"');
    const run = cliRunner(configHome, url!);
    expect((await run(['call', 'quickstart', 'add', 'Ada'])).code).toBe(0);
    expect((await run(['call', 'quickstart', 'say_hello'])).code).toBe(0);
    const logs = await run(['logs', 'quickstart', '-n', '2']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('Hello, Ada!');
    const owner = readFileSync(path.join(dataDir, 'owner.token'), 'utf8').trim();
    expect((await run(['identity', 'export'])).stdout.trim()).toBe(owner);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startCli(['--listen', '127.0.0.1:0', '--example', 'quickstart'], env);
    await second.until(/Stop with Ctrl-C/);
    expect(second.output()).toContain(
      'database "quickstart" is up to date with modules/quickstart',
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});
