/**
 * @module
 * `wasmbase dev`: in a project, builds and publishes, then watches the sources and does it
 * again on every save (debounced). Safe migrations are applied; a refused one is printed with
 * the `--clear` hint and the database keeps its data. With `--bindings <dir>` the SDK 2.x
 * bindings are regenerated after each publish; with `--logs` the module log is followed.
 * Runs until Ctrl-C (or `--timeout` seconds, for scripts).
 */
import { watch } from 'node:fs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { validateModule } from '../../runtime/host/index.js';
import {
  CliError,
  dbPath,
  expectOk,
  request,
  say,
  tokenOrNew,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';
import { printLogs } from './client-commands.js';
import { generateTypescript } from './generate.js';
import { buildProject, findProject, type Project } from './project.js';

const DEBOUNCE_MS = 150;
const MAX_MODULE_BYTES = 64 * 1024 * 1024;

interface DevOptions extends Common {
  bindings?: string;
  logs: boolean;
  timeout?: string;
}

/** One round: build, publish, regenerate. Failures are printed, never fatal. */
async function round(project: Project, opts: DevOptions): Promise<void> {
  try {
    const wasm = await buildProject(project, say);
    const bytes = new Uint8Array(readFileSync(wasm));
    const token = await tokenOrNew(opts);
    const res = await expectOk(
      await request(opts, 'POST', dbPath(project.database), {
        token,
        body: bytes,
        contentType: 'application/wasm',
      }),
    );
    const body = (await res.json()) as { Success: { op: string } };
    say(`${body.Success.op} database "${project.database}"`);
    if (opts.bindings !== undefined) {
      const files = generateTypescript(validateModule(bytes, MAX_MODULE_BYTES).schema);
      mkdirSync(opts.bindings, { recursive: true });
      for (const [name, text] of files) writeFileSync(path.join(opts.bindings, name), text);
      say(`bindings regenerated in ${opts.bindings}`);
    }
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    say(err.message);
  }
  say('watching for changes (Ctrl-C to stop)');
}

export function devCommand(): Command {
  const cmd = withCommon(new Command('dev'))
    .description('build and publish the project here on every save')
    .option('--bindings <dir>', 'regenerate SDK 2.x TypeScript bindings into this folder')
    .option('--logs', 'follow the module log', false)
    .option('--timeout <seconds>', 'stop after this many seconds')
    .action(async (opts: DevOptions) => {
      const project = findProject(process.cwd());
      if (project === undefined)
        throw new UsageError('no wasmbase.json here or above: "wasmbase init <dir>" first');
      const seconds = opts.timeout === undefined ? undefined : Number(opts.timeout);
      if (seconds !== undefined && !(seconds > 0 && seconds <= 86_400))
        throw new UsageError(`--timeout must be 1 to 86400 seconds, got "${opts.timeout}"`);
      await round(project, opts);
      let timer: NodeJS.Timeout | undefined;
      let running = Promise.resolve();
      const watcher = watch(project.dir, { recursive: true }, (_event, file) => {
        const name = String(file ?? '');
        if (/^(build|node_modules|\.git)(\/|$)/.test(name) || !name.endsWith('.ts')) return;
        if (
          opts.bindings !== undefined &&
          path.resolve(project.dir, name).startsWith(path.resolve(opts.bindings))
        )
          return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          running = running.then(() => round(project, opts));
        }, DEBOUNCE_MS);
      });
      const logs = opts.logs ? printLogs(opts, project.database, '0', true) : undefined;
      await new Promise<void>(resolve => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (seconds !== undefined) setTimeout(stop, seconds * 1000).unref();
      });
      watcher.close();
      clearTimeout(timer);
      await running;
      if (logs !== undefined) process.exit(0);
    });
  return withExamples(
    cmd,
    'wasmbase dev',
    'wasmbase dev --bindings ../client/module_bindings --logs',
  );
}
