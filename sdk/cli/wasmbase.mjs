#!/usr/bin/env node
// The `wasmbase` command. Builds the TypeScript sources first when dist/ is missing or older
// than them, then runs the CLI from dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = path.join(root, 'dist/sdk/cli/main.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(full));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(full).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(path.join(root, 'runtime')), newest(path.join(root, 'sdk/cli')));
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  process.stderr.write('wasmbase: compiling TypeScript (first run or sources changed)…\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
