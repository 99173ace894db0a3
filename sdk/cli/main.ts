/**
 * @module
 * The `wasmbase` command line: `start` (the server, with a flag for every option),
 * `build-modules`, and the client commands (`identity new`, `publish`, `call`, `sql`, `logs`).
 * Messages go to stderr; data (like the curl examples) to stdout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import {
  loadConfig,
  OPTION_SPECS,
  parseListen,
  type Config,
  type RawOptions,
} from '../../runtime/config.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { closeOnSignals, runServer, type RunningServer } from '../../runtime/main.js';
import { clientCommands } from './client-commands.js';
import { backupCommands } from './backup-commands.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface BuildModulesApi {
  buildModules(options: {
    only?: string[];
    onProgress?: (line: string) => void;
  }): Promise<{ built: string[]; skipped: string[] }>;
  moduleWasmPath(rel: string): string;
}

async function modulesApi(): Promise<BuildModulesApi> {
  return (await import(
    pathToFileURL(path.join(ROOT, 'sdk/assembly/build.mjs')).href
  )) as BuildModulesApi;
}

function say(line: string): void {
  process.stderr.write(line + '\n');
}

/** Publishes an example module under its own name unless a database with that name exists. */
async function publishExample(
  server: RunningServer,
  config: Config,
  example: string,
): Promise<void> {
  const api = await modulesApi();
  await api.buildModules({ only: [example], onProgress: say });
  const tokenFile = path.join(config.dataDir, 'owner.token');
  let token: string;
  if (existsSync(tokenFile)) token = readFileSync(tokenFile, 'utf8').trim();
  else {
    token = (await server.tokens.mintIdentity()).token;
    writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  }
  const owner = (await server.tokens.verify(token)).identity;
  if (server.engine.resolve(example) === undefined) {
    const bytes = new Uint8Array(readFileSync(api.moduleWasmPath(example)));
    await server.engine.publish({
      moduleBytes: bytes,
      owner,
      nameOrIdentity: example,
      clear: false,
    });
    say(`published modules/${example} as database "${example}" (owner token in ${tokenFile})`);
  }
  const base = server.url;
  const auth = `-H "Authorization: Bearer $(cat ${tokenFile})"`;
  process.stdout.write(
    [
      '',
      `wasmbase is running at ${base} — try:`,
      '',
      `  curl -X POST ${base}/v1/database/${example}/call/add ` +
        `-H 'Content-Type: application/json' -d '["Alice"]'`,
      `  curl -X POST ${base}/v1/database/${example}/call/say_hello ` +
        `-H 'Content-Type: application/json' -d '[]'`,
      `  curl ${auth} '${base}/v1/database/${example}/logs?num_lines=10'`,
      `  curl '${base}/v1/database/${example}/schema?version=9'`,
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

function startCommand(): Command {
  const cmd = new Command('start')
    .description('start the server')
    .option('--listen <host:port>', 'address to listen on (env WASMBASE_LISTEN)')
    .option(
      '--example <name>',
      'build and publish an example module from modules/ if it is not there yet',
    );
  for (const spec of OPTION_SPECS) {
    cmd.addOption(
      new Option(
        `--${spec.flag} <value>`,
        `${spec.help} (default ${String(spec.defaultValue)})`,
      ).env(spec.env),
    );
  }
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const raw: RawOptions = {};
    for (const spec of OPTION_SPECS) {
      const camel = spec.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const v = opts[camel];
      if (v !== undefined) raw[spec.key] = v;
    }
    const listen = opts['listen'] ?? process.env['WASMBASE_LISTEN'];
    if (listen !== undefined) {
      const { host, port } = parseListen(listen);
      raw.host ??= host;
      raw.port ??= port;
    }
    const config = loadConfig(raw, {});
    const server = await runServer(config);
    closeOnSignals(server);
    process.stdout.write(`listening on ${server.url}\n`);
    if (opts['example'] !== undefined) await publishExample(server, config, opts['example']);
  });
  return cmd;
}

function buildModulesCommand(): Command {
  return new Command('build-modules')
    .description('build the AssemblyScript modules under modules/')
    .argument('[modules...]', 'module paths relative to modules/ (default: all)')
    .action(async (only: string[]) => {
      const api = await modulesApi();
      const { built, skipped } = await api.buildModules({
        ...(only.length > 0 ? { only } : {}),
        onProgress: say,
      });
      say(`modules: ${built.length} built, ${skipped.length} up to date`);
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('wasmbase')
    .description('a database server that hosts application logic as WebAssembly')
    .version('0.1.0');
  program.addCommand(startCommand());
  program.addCommand(buildModulesCommand());
  for (const cmd of clientCommands()) program.addCommand(cmd);
  for (const cmd of backupCommands()) program.addCommand(cmd);
  program.showSuggestionAfterError();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    say(`wasmbase: ${message}`);
    process.exitCode = err instanceof WasmbaseError && err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}
