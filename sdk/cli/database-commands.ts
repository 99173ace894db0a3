/**
 * @module
 * Database management: `delete <db>`, `list` (the databases of the identity in use), and
 * `name add|set|list` (a database's names).
 */
import { Command } from 'commander';
import {
  CliError,
  dbPath,
  expectOk,
  loadConfig,
  request,
  say,
  serverOf,
  storedToken,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';
import { renderTable } from './output.js';

function needToken(opts: Common): string {
  const token = storedToken(opts);
  if (token === undefined)
    throw new CliError(`no identity for ${serverOf(opts)}: "wasmbase identity new" or --token`);
  return token;
}

export function deleteCommand(): Command {
  const cmd = withCommon(new Command('delete'))
    .description('delete a database and all its data (owner only)')
    .argument('<database>', 'database name or identity')
    .action(async (database: string, opts: Common) => {
      await expectOk(await request(opts, 'DELETE', dbPath(database), { token: needToken(opts) }));
      say(`deleted database "${database}"`);
    });
  return withExamples(cmd, 'wasmbase delete quickstart');
}

interface DatabaseInfo {
  database_identity: string;
  names?: string[];
}

export function listCommand(): Command {
  const cmd = withCommon(new Command('list'))
    .description('list the databases owned by the identity in use')
    .option('--json', 'as JSON', false)
    .action(async (opts: Common & { json: boolean }) => {
      needToken(opts);
      const entry = loadConfig().servers[serverOf(opts)];
      const identity = opts.token !== undefined ? undefined : entry?.identity;
      if (identity === undefined)
        throw new UsageError("list shows the stored identity's databases: drop --token");
      const res = await expectOk(await request(opts, 'GET', `/v1/identity/${identity}/databases`));
      const { identities } = (await res.json()) as { identities: string[] };
      const rows: { identity: string; names: string[] }[] = [];
      for (const id of identities.slice(0, 1000)) {
        const info = (await (
          await expectOk(await request(opts, 'GET', dbPath(id)))
        ).json()) as DatabaseInfo;
        rows.push({ identity: id, names: info.names ?? [] });
      }
      if (opts.json) process.stdout.write(JSON.stringify(rows) + '\n');
      else if (rows.length === 0) say(`${identity} owns no databases on ${serverOf(opts)}`);
      else
        process.stdout.write(
          renderTable(
            ['name', 'identity'],
            rows.map(r => [r.names.join(', '), r.identity]),
          ),
        );
    });
  return withExamples(cmd, 'wasmbase list', 'wasmbase list --json');
}

export function nameCommand(): Command {
  const cmd = new Command('name').description("manage a database's names");
  cmd.addCommand(
    withCommon(new Command('add'))
      .description('add a name to a database (owner only)')
      .argument('<database>')
      .argument('<name>')
      .action(async (database: string, name: string, opts: Common) => {
        await expectOk(
          await request(opts, 'POST', dbPath(database, '/names'), {
            token: needToken(opts),
            body: name,
            contentType: 'text/plain',
          }),
        );
        say(`"${database}" is also "${name}"`);
      }),
  );
  cmd.addCommand(
    withCommon(new Command('set'))
      .description("replace a database's names (owner only)")
      .argument('<database>')
      .argument('<names...>')
      .action(async (database: string, names: string[], opts: Common) => {
        await expectOk(
          await request(opts, 'PUT', dbPath(database, '/names'), {
            token: needToken(opts),
            body: JSON.stringify(names),
            contentType: 'application/json',
          }),
        );
        say(`names set: ${names.join(', ')}`);
      }),
  );
  cmd.addCommand(
    withCommon(new Command('list'))
      .description("print a database's names")
      .argument('<database>')
      .option('--json', 'as JSON', false)
      .action(async (database: string, opts: Common & { json: boolean }) => {
        const res = await expectOk(await request(opts, 'GET', dbPath(database, '/names')));
        const { names } = (await res.json()) as { names: string[] };
        process.stdout.write(opts.json ? JSON.stringify(names) + '\n' : names.join('\n') + '\n');
      }),
  );
  return withExamples(
    cmd,
    'wasmbase name add quickstart hello',
    'wasmbase name set quickstart hello greetings',
    'wasmbase name list quickstart',
  );
}
