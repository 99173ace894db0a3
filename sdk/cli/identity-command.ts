/**
 * @module
 * `wasmbase identity new|list|use|show|import|export`: the identities the CLI holds per server.
 * `new` and `import` add an identity and make it the one in use; no identity is ever dropped,
 * so a database's owner token can always be found again.
 */
import { Command } from 'commander';
import { cliConfigPath, updateCliConfig, useIdentity, tokenIdentity } from './cli-config.js';
import {
  CliError,
  loadConfig,
  newIdentity,
  say,
  serverOf,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';

/** The stored identity whose hex starts with `prefix` (an error when none or several). */
function pick(opts: Common, prefix: string): { identity: string; token: string } {
  const known = loadConfig().identities[serverOf(opts)] ?? [];
  const matches = known.filter(e => e.identity.startsWith(prefix.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(
    matches.length === 0
      ? `no stored identity starts with "${prefix}" for ${serverOf(opts)} (see "identity list")`
      : `"${prefix}" matches ${matches.length} identities: give more digits`,
  );
}

function listCommand(): Command {
  return withCommon(new Command('list'))
    .description('list the identities stored for the server (* marks the one in use)')
    .option('--json', 'as JSON', false)
    .action((opts: Common & { json: boolean }) => {
      const config = loadConfig();
      const server = serverOf(opts, config);
      const current = config.servers[server]?.identity;
      const known = config.identities[server] ?? [];
      if (opts.json) {
        const rows = known.map(e => ({ identity: e.identity, current: e.identity === current }));
        process.stdout.write(JSON.stringify(rows) + '\n');
        return;
      }
      if (known.length === 0) say(`no identities for ${server} yet: "wasmbase identity new"`);
      for (const e of known)
        process.stdout.write(`${e.identity === current ? '*' : ' '} ${e.identity}\n`);
    });
}

function useCommand(): Command {
  return withCommon(new Command('use'))
    .description('use a stored identity for the server')
    .argument('<identity>', 'the identity, or the first digits of it')
    .action((prefix: string, opts: Common) => {
      const entry = pick(opts, prefix);
      updateCliConfig(cliConfigPath(), c => useIdentity(c, serverOf(opts), entry));
      say(`using ${entry.identity} for ${serverOf(opts)}`);
    });
}

function showCommand(): Command {
  return withCommon(new Command('show'))
    .description('print the identity in use for the server')
    .action((opts: Common) => {
      const entry = loadConfig().servers[serverOf(opts)];
      if (entry === undefined)
        throw new CliError(`no identity for ${serverOf(opts)} yet: "wasmbase identity new"`);
      process.stdout.write(entry.identity + '\n');
    });
}

function importCommand(): Command {
  return withCommon(new Command('import'))
    .description('store a token (e.g. data/owner.token) and use its identity for the server')
    .argument('<token>', 'the token (JWT)')
    .action((token: string, opts: Common) => {
      const identity = tokenIdentity(token.trim());
      if (identity === undefined)
        throw new UsageError('that is not a wasmbase token (a JWT with a hex_identity claim)');
      const server = serverOf(opts);
      updateCliConfig(cliConfigPath(), c => useIdentity(c, server, { identity, token }));
      say(`imported ${identity} for ${server}; it is now in use`);
      process.stdout.write(identity + '\n');
    });
}

function exportCommand(): Command {
  return withCommon(new Command('export'))
    .description("print a stored identity's token (default: the one in use)")
    .argument('[identity]', 'the identity, or the first digits of it')
    .action((prefix: string | undefined, opts: Common) => {
      const entry =
        prefix === undefined ? loadConfig().servers[serverOf(opts)] : pick(opts, prefix);
      if (entry === undefined) throw new CliError(`no identity for ${serverOf(opts)} yet`);
      process.stdout.write(entry.token + '\n');
    });
}

export function identityCommand(): Command {
  const cmd = new Command('identity').description('manage the identities the CLI uses per server');
  cmd.addCommand(
    withCommon(new Command('new'))
      .description('create an identity on the server and use it (the others are kept)')
      .action(async (opts: Common) => {
        process.stdout.write((await newIdentity(opts)).identity + '\n');
      }),
  );
  for (const sub of [listCommand(), useCommand(), showCommand(), importCommand(), exportCommand()])
    cmd.addCommand(sub);
  return withExamples(
    cmd,
    'wasmbase identity new',
    'wasmbase identity list',
    'wasmbase identity use c200ab12',
    'wasmbase identity import "$(cat data/owner.token)"',
  );
}
