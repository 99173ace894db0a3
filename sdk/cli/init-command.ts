/**
 * @module
 * `wasmbase init <dir>`: a new module project outside this repository — `wasmbase.json`,
 * `package.json` depending on this package (the module SDK), `index.ts` with a table and
 * reducers, a test, a README and a `.gitignore` — with the SDK linked in `node_modules/` so
 * `wasmbase build` works before `npm install`.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { say, UsageError, withExamples } from './client.js';
import { PACKAGE_ROOT } from './modules-api.js';
import { isProjectName, PROJECT_FILE } from './project.js';

const MODULE_SOURCE = `// A table of people and two reducers. Build: "wasmbase build"; publish:
// "wasmbase publish". Decorators and the table API: node_modules/wasmbase/sdk/assembly/README.md
import { Table, ReducerContext, log } from "./node_modules/wasmbase/sdk/assembly";

@table("person") @publicTable
class Person {
  @primaryKey @autoInc id: u64 = 0;
  name: string = "";
}

const people = new Table<Person>("person");

@reducer
export function add(ctx: ReducerContext, name: string): string | null {
  if (name.length == 0) return "name must not be empty"; // fails the call, nothing is written
  const p = new Person();
  p.name = name;
  people.insert(p);
  return null;
}

@reducer
export function say_hello(ctx: ReducerContext): void {
  const all = people.iter();
  for (let i = 0; i < all.length; i++) log.info("Hello, " + all[i].name + "!");
  log.info("Hello, World!");
}
`;

const TEST_SOURCE = `// Builds the module and checks that it is a wasmbase module. Run: npm test
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('the module builds and exports the wasmbase ABI', async () => {
  execFileSync('npx', ['wasmbase', 'build'], { stdio: 'inherit' });
  const file = new URL('./build/NAME.wasm', import.meta.url);
  const wasm = await WebAssembly.compile(readFileSync(file));
  const exports = WebAssembly.Module.exports(wasm).map(e => e.name);
  assert.ok(exports.length > 0);
  assert.equal(WebAssembly.Module.customSections(wasm, 'wasmbase_v1.schema').length, 1);
});
`;

function readme(name: string): string {
  return `# ${name}

A wasmbase module. With a server running (\`npx wasmbase start\`):

\`\`\`sh
npx wasmbase build                 # compile index.ts to build/${name}.wasm
npx wasmbase publish               # build and publish as the database "${name}"
npx wasmbase call ${name} add Alice
npx wasmbase call ${name} say_hello
npx wasmbase logs ${name}
npx wasmbase sql ${name} 'SELECT * FROM person'
npx wasmbase generate --lang typescript --out client/module_bindings --db ${name}
npx wasmbase dev                   # rebuild and republish on every save
\`\`\`
`;
}

function files(name: string): Record<string, string> {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { build: 'wasmbase build', publish: 'wasmbase publish', test: 'node --test' },
    dependencies: { wasmbase: `file:${PACKAGE_ROOT}` },
  };
  return {
    [PROJECT_FILE]: JSON.stringify({ database: name, module: 'index.ts' }, null, 2) + '\n',
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'index.ts': MODULE_SOURCE,
    'module.test.mjs': TEST_SOURCE.replace('NAME', name),
    'README.md': readme(name),
    '.gitignore': 'node_modules/\nbuild/\n',
  };
}

/** Creates the project; returns the files written. */
export function initProject(dir: string, name: string): string[] {
  if (!isProjectName(name))
    throw new UsageError(`"${name}" is not a usable name: use a-z, 0-9 and -, like "my-app"`);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(`${dir} is not empty: pick a new folder`);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  const written = Object.entries(files(name)).map(([file, text]) => {
    writeFileSync(path.join(dir, file), text);
    return file;
  });
  symlinkSync(PACKAGE_ROOT, path.join(dir, 'node_modules', 'wasmbase'), 'dir');
  return written;
}

export function initCommand(): Command {
  const cmd = new Command('init')
    .description('create a module project in a new folder')
    .argument('<dir>', 'the folder to create')
    .option('--name <name>', 'database and package name (default: the folder name)')
    .action((dir: string, opts: { name?: string }) => {
      const name = opts.name ?? path.basename(path.resolve(dir)).toLowerCase();
      const written = initProject(dir, name);
      say(`created ${written.length} files in ${dir}: ${written.join(', ')}`);
      say(`next: cd ${dir} && npx wasmbase publish`);
    });
  return withExamples(cmd, 'wasmbase init my-app && cd my-app && wasmbase publish');
}
