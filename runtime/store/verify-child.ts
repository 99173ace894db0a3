/**
 * @module
 * The child process of `verifyDataDir`: opens each LMDB environment named on the command line
 * read-only and reads every key and value. LMDB has no checksums and crashes the process
 * (SIGSEGV, SIGBUS) on a damaged page, so this runs in a process of its own: a crash here is a
 * refusal to start, not a crashed server. Prints tab-separated lines: `checking <path>` before
 * and `ok <path> <entries> <bytes>` after each environment, `error <path> <message>` on an error.
 * With `--write-probe` first, it also writes and removes one probe key in each environment,
 * so that page allocation runs too (used on untrusted files such as an archive's snapshot).
 */
import { open } from 'lmdb';

const PROBE_KEY = new TextEncoder().encode('\u00ffwasmbase-verify-probe');

function check(path: string, writeProbe: boolean): { entries: number; bytes: number } {
  const env = open<Uint8Array, Uint8Array>({
    path,
    readOnly: !writeProbe,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  try {
    let entries = 0;
    let bytes = 0;
    for (const { key, value } of env.getRange({})) {
      entries++;
      bytes += key.length + value.length;
    }
    if (writeProbe) {
      env.transactionSync(() => void env.putSync(PROBE_KEY, new Uint8Array(64)));
      env.transactionSync(() => void env.removeSync(PROBE_KEY));
    }
    return { entries, bytes };
  } finally {
    void env.close();
  }
}

const args = process.argv.slice(2);
const writeProbe = args[0] === '--write-probe';
for (const path of writeProbe ? args.slice(1) : args) {
  process.stdout.write(`checking\t${path}\n`);
  try {
    const { entries, bytes } = check(path, writeProbe);
    process.stdout.write(`ok\t${path}\t${entries}\t${bytes}\n`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stdout.write(`error\t${path}\t${message.replace(/\s+/g, ' ')}\n`);
    process.exit(3);
  }
}
