/**
 * @module
 * `wasmbase backup` and `wasmbase restore`: an online, consistent copy of a data directory with
 * a checksummed manifest, and its verified restore into an empty data directory. Both work on
 * the directory directly, so `backup` runs next to a live server (LMDB readers never block it).
 */
import { Command } from 'commander';
import { backupDataDir, restoreDataDir } from '../../runtime/store/index.js';

function say(line: string): void {
  process.stderr.write(line + '\n');
}

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

function restoreCommand(): Command {
  return new Command('restore')
    .description('verify a backup and restore it into an empty data directory')
    .argument('<dir>', 'the backup directory')
    .option('--data-dir <dir>', 'the data directory to restore into (empty or absent)', './data')
    .action((dir: string, opts: { dataDir: string }) => {
      const manifest = restoreDataDir(dir, opts.dataDir, { onProgress: say });
      say(`restored ${manifest.entries.length} environment(s) into ${opts.dataDir}`);
    });
}

/** The backup commands, registered by `main.ts`. */
export function backupCommands(): Command[] {
  return [backupCommand(), restoreCommand()];
}
