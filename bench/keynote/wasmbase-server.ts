/**
 * @module
 * Child-process entry of the wasmbase target: the real server (`runServer`, as `wasmbase start`
 * runs it) with the given `--<option> <value>` flags of runtime/config.ts. Started from dist/
 * directly rather than through `sdk/cli/wasmbase.mjs`, which would recompile dist/ whenever a
 * source is newer — slow, and racy while sources are being edited.
 *
 *   node dist/bench/keynote/wasmbase-server.js --host 127.0.0.1 --port 0 --data-dir <dir> [...]
 */
import { loadConfig, OPTION_SPECS, type RawOptions } from '../../runtime/config.js';
import { closeOnSignals, runServer } from '../../runtime/main.js';

const raw: RawOptions = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const flag = argv[i]!.replace(/^--/, '');
  const spec = OPTION_SPECS.find(s => s.flag === flag);
  if (spec === undefined || argv[i + 1] === undefined) {
    process.stderr.write(`wasmbase-server: unknown option or missing value: ${argv[i]}\n`);
    process.exit(2);
  }
  raw[spec.key] = argv[i + 1]!;
}
const server = await runServer(loadConfig(raw, {}));
closeOnSignals(server);
process.stdout.write(`listening on ${server.url}\n`);
