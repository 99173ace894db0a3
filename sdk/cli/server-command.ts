/**
 * @module
 * `wasmbase server add|list|set-default|remove|ping`: server nicknames and the default server.
 */
import { Command } from 'commander';
import { cliConfigPath, normalizeServer, updateCliConfig } from './cli-config.js';
import {
  CliError,
  DEFAULT_SERVER,
  loadConfig,
  request,
  say,
  serverOf,
  UsageError,
  withExamples,
} from './client.js';

function origin(url: string): string {
  try {
    return normalizeServer(url);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function nicknameOk(nick: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(nick))
    throw new UsageError(`"${nick}" is not a usable nickname (a letter, then letters, digits, -_)`);
  return nick;
}

function addCommand(): Command {
  return new Command('add')
    .description('give a server a nickname')
    .argument('<nickname>')
    .argument('<url>')
    .option('--default', 'also make it the default server', false)
    .action((nick: string, url: string, opts: { default: boolean }) => {
      const server = origin(url);
      updateCliConfig(cliConfigPath(), c => ({
        ...c,
        nicknames: { ...c.nicknames, [nicknameOk(nick)]: server },
        ...(opts.default ? { defaultServer: server } : {}),
      }));
      say(`added ${nick} → ${server}${opts.default ? ' (default)' : ''}`);
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('list the known servers (* marks the default)')
    .option('--json', 'as JSON', false)
    .action((opts: { json: boolean }) => {
      const config = loadConfig();
      const def = config.defaultServer ?? DEFAULT_SERVER;
      const servers = new Set<string>([def, ...Object.values(config.nicknames)]);
      for (const s of Object.keys(config.servers)) servers.add(s);
      const rows = [...servers].map(url => ({
        url,
        nicknames: Object.keys(config.nicknames).filter(n => config.nicknames[n] === url),
        default: url === def,
        identity: config.servers[url]?.identity ?? null,
      }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows) + '\n');
        return;
      }
      for (const r of rows) {
        const nicks = r.nicknames.length > 0 ? ` (${r.nicknames.join(', ')})` : '';
        process.stdout.write(`${r.default ? '*' : ' '} ${r.url}${nicks}\n`);
      }
    });
}

function setDefaultCommand(): Command {
  return new Command('set-default')
    .description('use this server when --server is not given')
    .argument('<url|nickname>')
    .action((target: string) => {
      const server = serverOf({ server: target });
      updateCliConfig(cliConfigPath(), c => ({ ...c, defaultServer: server }));
      say(`default server: ${server}`);
    });
}

function removeCommand(): Command {
  return new Command('remove')
    .description('forget a nickname (identities stored for the server are kept)')
    .argument('<nickname>')
    .action((nick: string) => {
      const config = loadConfig();
      if (config.nicknames[nick] === undefined)
        throw new UsageError(`no server nicknamed "${nick}" (see "wasmbase server list")`);
      updateCliConfig(cliConfigPath(), c => {
        const nicknames = { ...c.nicknames };
        delete nicknames[nick];
        return { ...c, nicknames };
      });
      say(`removed ${nick}`);
    });
}

function pingCommand(): Command {
  return new Command('ping')
    .description('check that a server answers')
    .argument('[url|nickname]', 'default: the default server')
    .action(async (target: string | undefined) => {
      const opts = target === undefined ? {} : { server: target };
      const t0 = performance.now();
      const res = await request(opts, 'GET', '/v1/ping');
      const ms = Math.round(performance.now() - t0);
      if (!res.ok) throw new CliError(`${serverOf(opts)} answered HTTP ${res.status}`);
      process.stdout.write(`${serverOf(opts)} is up (${ms} ms)\n`);
    });
}

export function serverCommand(): Command {
  const cmd = new Command('server').description('server nicknames and the default server');
  for (const sub of [
    addCommand(),
    listCommand(),
    setDefaultCommand(),
    removeCommand(),
    pingCommand(),
  ])
    cmd.addCommand(sub);
  return withExamples(
    cmd,
    'wasmbase server add local http://127.0.0.1:3000 --default',
    'wasmbase server ping local',
  );
}
