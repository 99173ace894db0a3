/**
 * @module
 * The child process of `verifyDataDir`: opens each LMDB environment named on the command line
 * read-only and reads every key and value. LMDB has no checksums and crashes the process
 * (SIGSEGV, SIGBUS) on a damaged page, so this runs in a process of its own: a crash here is a
 * refusal to start, not a crashed server. Prints tab-separated lines: `checking <path>` before
 * and `ok <path> <entries> <bytes>` after each environment, `error <path> <message>` on an error.
 */
import { open } from 'lmdb';

function check(path: string): { entries: number; bytes: number } {
  const env = open<Uint8Array, Uint8Array>({
    path,
    readOnly: true,
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
    return { entries, bytes };
  } finally {
    void env.close();
  }
}

for (const path of process.argv.slice(2)) {
  process.stdout.write(`checking\t${path}\n`);
  try {
    const { entries, bytes } = check(path);
    process.stdout.write(`ok\t${path}\t${entries}\t${bytes}\n`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stdout.write(`error\t${path}\t${message.replace(/\s+/g, ' ')}\n`);
    process.exit(3);
  }
}
