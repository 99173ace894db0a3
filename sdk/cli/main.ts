/**
 * @module
 * The `wasmbase` command line: `start` (the server, with a flag for every option),
 * `build-modules`, and the client and project commands, each in its own file. Exit codes: 0 ok,
 * 1 failure, 2 usage error (a bad flag or argument).
 * Messages go to stderr; data (like the curl examples) to stdout.
 */
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, OPTION_SPECS, parseListen, type RawOptions } from '../../runtime/config.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { closeOnSignals, runServer } from '../../runtime/main.js';
import { buildCommand } from './build-command.js';
import { CliError, UsageError } from './client.js';
import { archiveCommand } from './archive-commands.js';
import { backupCommands } from './backup-commands.js';
import { compactCommands } from './compact-command.js';
import { clientCommands } from './client-commands.js';
import { deleteCommand, listCommand, nameCommand } from './database-commands.js';
import { describeCommand } from './describe-command.js';
import { devCommand } from './dev-command.js';
import { generateCommand } from './generate-command.js';
import { identityCommand } from './identity-command.js';
import { initCommand } from './init-command.js';
import { modulesApi } from './modules-api.js';
import { serverCommand } from './server-command.js';
import { subscribeCommand } from './subscribe-command.js';
import { transferCommands } from './transfer-commands.js';
import { exampleHints, publishExample } from './start-example.js';
import { bundleExampleWeb } from './web-example.js';

function say(line: string): void {
  process.stderr.write(line + '\n');
}

function startCommand(): Command {
  const cmd = new Command('start')
    .description('start the server')
    .option('--listen <host:port>', 'address to listen on (env WASMBASE_LISTEN)')
    .option(
      '--example <name>',
      'build and publish an example module from modules/ (republished when it changed)',
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
    const example = opts['example'];
    // The example's page, unless a --web-dir (or WASMBASE_WEB_DIR) was given.
    if (example !== undefined && raw.webDir === undefined && !process.env['WASMBASE_WEB_DIR']) {
      const web = await bundleExampleWeb(example, say);
      if (web !== undefined) raw.webDir = web;
    }
    const config = loadConfig(raw, {});
    const server = await runServer(config);
    closeOnSignals(server);
    process.stdout.write(`listening on ${server.url}\n`);
    if (example !== undefined) {
      await publishExample(server, config, example);
      process.stdout.write(exampleHints(server, example, config.webDir !== ''));
    }
  });
  return cmd;
}

function buildModulesCommand(): Command {
  return new Command('build-modules')
    .description('build the AssemblyScript modules under modules/')
    .argument('[modules...]', 'module paths relative to modules/ (default: all)')
    .action(async (only: string[]) => {
      const api = await modulesApi();
      const { built, skipped, failed } = await api.buildModules({
        ...(only.length > 0 ? { only } : {}),
        throwOnFailure: false,
        onProgress: say,
      });
      say(`modules: ${built.length} built, ${skipped.length} up to date, ${failed.length} failed`);
      if (failed.length > 0) process.exitCode = 1;
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('wasmbase')
    .description('a database server that hosts application logic as WebAssembly')
    .version('0.1.0');
  program.addCommand(startCommand());
  program.addCommand(buildModulesCommand());
  for (const cmd of clientCommands()) program.addCommand(cmd);
  program.addCommand(identityCommand());
  program.addCommand(initCommand());
  program.addCommand(buildCommand());
  program.addCommand(describeCommand());
  program.addCommand(subscribeCommand());
  program.addCommand(deleteCommand());
  program.addCommand(listCommand());
  program.addCommand(nameCommand());
  program.addCommand(serverCommand());
  program.addCommand(generateCommand());
  program.addCommand(devCommand());
  for (const cmd of backupCommands()) program.addCommand(cmd);
  for (const cmd of transferCommands()) program.addCommand(cmd);
  program.addCommand(archiveCommand());
  for (const cmd of compactCommands()) program.addCommand(cmd);
  program.showSuggestionAfterError();
  exitOverrideAll(program);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    process.exitCode = exitCodeOf(err);
    if (err instanceof CommanderError) return; // commander printed it already
    const message = err instanceof Error ? err.message : String(err);
    say(`wasmbase: ${message}`);
  }
}

/** Usage errors reach the catch in main (exit code 2) instead of exiting the process. */
function exitOverrideAll(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) exitOverrideAll(sub);
}

/** 0 for help and version, 2 for usage errors, 1 for everything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError)
    return err.exitCode === 0 || err.code === 'commander.help' ? 0 : 2;
  if (err instanceof UsageError) return 2;
  if (err instanceof WasmbaseError && err.code === 'INVALID_ARGUMENT') return 2;
  if (err instanceof CliError) return 1;
  return 1;
}
