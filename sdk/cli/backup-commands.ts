/**
 * @module
 * `wasmbase backup` and `wasmbase restore`: an online, consistent copy of a data directory with
 * a checksummed manifest, and its verified restore into an empty data directory. Both work on
 * the directory directly, so `backup` runs next to a live server (LMDB readers never block it).
 * `restore --database <db> --as <name>` instead takes one database out of the backup and
 * publishes it to a running server under a new name, as an archive (see `archive-commands.ts`).
 */
import { Command } from 'commander';
import { archiveFromBackup, backupDataDir, restoreDataDir } from '../../runtime/store/index.js';
import { publishArchive } from './archive-commands.js';
import { CliError, say, withCommon, withExamples, type Common } from './client.js';

/** The largest archive `restore --as` builds locally; the server applies its own cap too. */
const MAX_LOCAL_ARCHIVE_BYTES = 1024 * 1024 * 1024;

function backupCommand(): Command {
  return new Command('backup')
    .description('copy every database of a data directory, consistently, while it serves')
    .requiredOption('--out <dir>', 'where to write the backup (empty or absent)')
    .option('--data-dir <dir>', 'the data directory to back up', './data')
    .option('--only <identities...>', 'back up only these databases (hex identities)')
    .action(async (opts: { out: string; dataDir: string; only?: string[] }) => {
      const manifest = await backupDataDir(opts.dataDir, opts.out, {
        onProgress: say,
        ...(opts.only === undefined ? {} : { only: opts.only }),
      });
      say(`backup of ${manifest.entries.length} environment(s) written to ${opts.out}`);
    });
}

interface RestoreOptions extends Common {
  dataDir: string;
  database?: string;
  as?: string;
}

async function restoreOne(dir: string, opts: RestoreOptions): Promise<void> {
  if (opts.database === undefined || opts.as === undefined)
    throw new CliError('--database and --as go together: which database, and its new name');
  say(`verifying ${dir} and reading ${opts.database} from it`);
  const archive = await archiveFromBackup(dir, opts.database, MAX_LOCAL_ARCHIVE_BYTES);
  await publishArchive(opts, opts.as, archive, `${opts.database} in ${dir}`);
}

function restoreCommand(): Command {
  const cmd = withCommon(new Command('restore'))
    .description(
      'verify a backup and restore it into an empty data directory, or restore one of its ' +
        'databases under a new name into a running server',
    )
    .argument('<dir>', 'the backup directory')
    .option('--data-dir <dir>', 'the data directory to restore into (empty or absent)', './data')
    .option('--database <db>', 'restore only this database (name or identity) ...')
    .option('--as <name>', '... as a new database with this name, on --server')
    .action(async (dir: string, opts: RestoreOptions) => {
      if (opts.database !== undefined || opts.as !== undefined) return restoreOne(dir, opts);
      const manifest = restoreDataDir(dir, opts.dataDir, { onProgress: say });
      say(`restored ${manifest.entries.length} environment(s) into ${opts.dataDir}`);
    });
  return withExamples(
    cmd,
    'wasmbase restore ./backups/2026-12-02 --data-dir ./data-restored',
    'wasmbase restore ./backups/2026-12-02 --database quickstart --as quickstart-copy',
  );
}

/** The backup commands, registered by `main.ts`. */
export function backupCommands(): Command[] {
  return [backupCommand(), restoreCommand()];
}
