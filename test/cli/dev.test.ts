/** `wasmbase dev`: an edit to the project makes a new reducer callable within 5 s. */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const home = tempDir();
const run = cliRunner(home, server.url);

describe('wasmbase dev', () => {
  it('rebuilds, republishes and regenerates bindings on save', async () => {
    const dir = path.join(home, 'dev-app');
    expect((await run(['init', dir])).code).toBe(0);
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'sdk/cli/wasmbase.mjs'), 'dev', '--timeout', '60', '--bindings', 'client'],
      {
        cwd: dir,
        env: { ...process.env, XDG_CONFIG_HOME: home, WASMBASE_SERVER: server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>(resolve => child.on('exit', c => resolve(c)));
    try {
      for (let i = 0; i < 400 && !stderr.includes('watching for changes'); i++)
        await new Promise(r => setTimeout(r, 50));
      expect(stderr).toContain('created database "dev-app"');
      expect(existsSync(path.join(dir, 'client/index.ts'))).toBe(true);
      expect((await run(['call', 'dev-app', 'shout'])).code).toBe(1);

      appendFileSync(
        path.join(dir, 'index.ts'),
        '\n@reducer\nexport function shout(ctx: ReducerContext): void { log.info("HEY"); }\n',
      );
      const t0 = Date.now();
      let ok = false;
      while (!ok && Date.now() - t0 < 5000) {
        await new Promise(r => setTimeout(r, 100));
        ok = (
          await fetch(`${server.url}/v1/database/dev-app/call/shout`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '[]',
          })
        ).ok;
      }
      expect(ok, stderr).toBe(true);
      // The bindings are written just after the publish answers, so give them a moment.
      const bindings = path.join(dir, 'client/shout_reducer.ts');
      for (let i = 0; i < 100 && !existsSync(bindings); i++)
        await new Promise(r => setTimeout(r, 50));
      expect(existsSync(bindings), stderr).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
