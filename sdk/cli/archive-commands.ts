/**
 * @module
 * `wasmbase archive download <db> --out <file>` and `wasmbase archive publish <name> <file>`:
 * one database as one checksummed archive file, and back as a new database with its data, over
 * the server's `/archive` routes (owner only to download).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  CliError,
  dbPath,
  expectOk,
  request,
  say,
  storedToken,
  tokenOrNew,
  withCommon,
  withExamples,
  type Common,
} from './client.js';

function downloadCommand(): Command {
  const cmd = withCommon(new Command('download'))
    .description('download a database (module + consistent snapshot) as one archive file')
    .argument('<database>', 'database name or identity')
    .requiredOption('--out <file>', 'where to write the archive')
    .action(async (database: string, opts: Common & { out: string }) => {
      const res = await expectOk(
        await request(opts, 'GET', dbPath(database, '/archive'), { token: storedToken(opts) }),
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      writeFileSync(opts.out, bytes);
      say(`archive of ${database} written to ${opts.out} (${bytes.length} bytes)`);
    });
  return withExamples(cmd, 'wasmbase archive download quickstart --out quickstart.wbarchive');
}

/** Publishes archive bytes as the new database `name`; `from` says where they came from. */
export async function publishArchive(
  opts: Common,
  name: string,
  body: Uint8Array,
  from: string,
): Promise<void> {
  const res = await expectOk(
    await request(opts, 'POST', dbPath(name, '/archive'), {
      token: await tokenOrNew(opts),
      body,
      contentType: 'application/octet-stream',
    }),
  );
  const { Success } = (await res.json()) as { Success: { database_identity: string } };
  say(`created database ${name} (${Success.database_identity}) from ${from}`);
}

function publishCommand(): Command {
  const cmd = withCommon(new Command('publish'))
    .description('publish an archive as a NEW database with its data')
    .argument('<name>', 'name of the new database')
    .argument('<file>', 'the archive file')
    .action(async (name: string, file: string, opts: Common) => {
      let body: Uint8Array;
      try {
        body = new Uint8Array(readFileSync(file));
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new CliError(`cannot read ${file}: ${why}`);
      }
      await publishArchive(opts, name, body, file);
    });
  return withExamples(cmd, 'wasmbase archive publish quickstart-copy quickstart.wbarchive');
}

/** `wasmbase archive`, registered by `main.ts`. */
export function archiveCommand(): Command {
  return new Command('archive')
    .description('download a database as an archive file, or publish one as a new database')
    .addCommand(downloadCommand())
    .addCommand(publishCommand());
}
