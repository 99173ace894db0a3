/**
 * @module
 * `wasmbase stats <db>` (disk use: file size, live and free pages) and `wasmbase compact <db>`
 * (the server rewrites the database's file with LMDB's compacting copy while it serves).
 */
import { Command } from 'commander';
import {
  dbPath,
  expectOk,
  request,
  say,
  storedToken,
  withCommon,
  withExamples,
  type Common,
} from './client.js';

interface DiskUse {
  fileBytes: number;
  freePages: number;
  freeBytes: number;
  usedPages: number;
}

const describe = (d: DiskUse): string =>
  `${d.fileBytes} bytes on disk, ${d.freePages} of ${d.usedPages} pages free ` +
  `(${d.freeBytes} bytes)`;

function statsCommand(): Command {
  const cmd = withCommon(new Command('stats'))
    .description("a database's disk use as JSON (owner only)")
    .argument('<database>', 'database name or identity')
    .action(async (database: string, opts: Common) => {
      const path = dbPath(database, '/stats');
      const res = await expectOk(await request(opts, 'GET', path, { token: storedToken(opts) }));
      process.stdout.write(JSON.stringify(await res.json()) + '\n');
    });
  return withExamples(cmd, 'wasmbase stats quickstart');
}

function compactCommand(): Command {
  const cmd = withCommon(new Command('compact'))
    .description("give a database's free pages back to the disk (owner only; online)")
    .argument('<database>', 'database name or identity')
    .action(async (database: string, opts: Common) => {
      const path = dbPath(database, '/compact');
      const res = await expectOk(await request(opts, 'POST', path, { token: storedToken(opts) }));
      const { before, after } = (await res.json()) as { before: DiskUse; after: DiskUse };
      say(`before: ${describe(before)}`);
      say(`after:  ${describe(after)}`);
    });
  return withExamples(cmd, 'wasmbase compact quickstart');
}

export function compactCommands(): Command[] {
  return [statsCommand(), compactCommand()];
}
