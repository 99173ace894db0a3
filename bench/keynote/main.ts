/**
 * @module
 * `npm run bench:keynote -- [options]`: runs the keynote transfer benchmark (see README.md in
 * this folder and USAGE in options.ts), prints the table, writes bench/results/keynote.{json,svg}.
 * Exit codes: 0 all runs passed, 1 a run failed or its correctness check failed, 2 usage error.
 */
import { cleanUpOnSignals } from './cleanup.js';
import { runKeynote } from './harness.js';
import { parseOptions, UsageError, USAGE } from './options.js';
import { resultTable } from './report-table.js';

const say = (line: string) => process.stderr.write(line + '\n');

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  say(`bench:keynote: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
cleanUpOnSignals();
const command = ['npm run bench:keynote --', ...process.argv.slice(2)].join(' ');
const { report, files, ok } = await runKeynote(options, { say }, command);
process.stdout.write(`\n${resultTable(report)}\n\n`);
for (const file of files) say(`wrote ${file}`);
if (!ok)
  say('bench:keynote: at least one run failed or did not pass its correctness check (see above)');
process.exit(ok ? 0 : 1);
