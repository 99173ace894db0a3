/** Standalone module projects: init, build (errors as file:line:col), publish from the folder. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../helpers/cli-run.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const server = await testServer();
const home = tempDir();
const run = cliRunner(home, server.url);

describe('wasmbase init, build and publish in a project', () => {
  it('creates a project outside the repository that builds and publishes', async () => {
    const dir = path.join(home, 'my-app');
    const init = await run(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('next: cd');
    for (const f of ['wasmbase.json', 'package.json', 'index.ts', 'module.test.mjs', 'README.md'])
      expect(existsSync(path.join(dir, f))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies).toEqual({
      wasmbase: expect.stringMatching(/^file:\//),
    });
    const again = await run(['init', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');

    const built = await run(['build'], { cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout.trim()).toBe(path.join(dir, 'build/my-app.wasm'));

    const published = await run(['publish'], { cwd: dir });
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toContain('created database "my-app"');
    expect((await run(['call', 'my-app', 'add', 'Ada'])).code).toBe(0);
    const rows = await run(['sql', 'my-app', 'SELECT name FROM person']);
    expect(rows.stdout).toBe('name\n----\nAda\n(1 row)\n');

    appendFileSync(
      path.join(dir, 'index.ts'),
      '\nexport function f(): void { let y: i32 = "s"; }\n',
    );
    const broken = await run(['build'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      "index.ts:29:42: error TS2322: Type '~lib/string/String' is not assignable to type 'i32'.",
    );
    expect(broken.stderr).not.toMatch(/\s+at \S+ \(/);
  }, 120_000);

  it('a declaration problem of the transform is file:line:col too, with no stack', async () => {
    const dir = path.join(home, 'bad-app');
    expect((await run(['init', dir])).code).toBe(0);
    appendFileSync(
      path.join(dir, 'index.ts'),
      '\n@reducer\nexport function bad(ctx: ReducerContext): i32 { return 1; }\n',
    );
    const broken = await run(['build'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /index\.ts:29:1: error: reducer bad must return void or string \| null/,
    );
    expect(broken.stderr).not.toContain('afterParse');
  }, 120_000);
});
