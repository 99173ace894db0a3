#!/usr/bin/env node
// The `wasmbase` command. Compiles the TypeScript sources first when dist/ is missing or older
// than them (one compile at a time: a lock directory keeps concurrent starts from writing dist/
// together), then runs the CLI from dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'sdk/cli/main.js');
const lock = path.join(dist, '.build-lock');
const LOCK_STALE_MS = 5 * 60_000;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(full));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(full).mtimeMs);
  }
  return t;
}

const isStale = () =>
  !existsSync(entry) ||
  statSync(entry).mtimeMs <
    Math.max(newest(path.join(root, 'runtime')), newest(path.join(root, 'sdk/cli')));

async function takeLock() {
  mkdirSync(dist, { recursive: true });
  for (let i = 0; i < 1200; i++) {
    try {
      mkdirSync(lock);
      return true;
    } catch {
      // Another process is compiling (or died doing so long ago).
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // The lock went away meanwhile.
      }
      await sleep(100);
    }
  }
  return false;
}

if (isStale()) {
  const locked = await takeLock();
  try {
    if (isStale()) {
      process.stderr.write('wasmbase: compiling TypeScript (first run or sources changed)…\n');
      try {
        execFileSync(
          process.execPath,
          [
            path.join(root, 'node_modules/typescript/bin/tsc'),
            '-p',
            path.join(root, 'tsconfig.json'),
          ],
          { stdio: ['ignore', 2, 2] },
        );
      } catch {
        // tsc still writes JavaScript when it finds type errors; run it if the entry is fresh.
        if (isStale()) {
          process.stderr.write('wasmbase: the TypeScript build failed (see above)\n');
          process.exit(1);
        }
        process.stderr.write(
          'wasmbase: TypeScript reported errors (above); running the JavaScript it emitted\n',
        );
      }
    }
  } finally {
    if (locked) rmSync(lock, { recursive: true, force: true });
  }
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
