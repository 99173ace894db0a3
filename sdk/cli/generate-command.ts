/**
 * @module
 * `wasmbase generate --lang typescript --out <dir> (--db <name> | --wasm <file>)`: client
 * bindings for the official `spacetimedb` SDK 2.x (see generate.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { validateModule } from '../../runtime/host/index.js';
import { WasmbaseError, type ModuleSchema } from '../../runtime/protocol/index.js';
import { CliError, say, UsageError, withCommon, withExamples, type Common } from './client.js';
import { fetchSchema } from './describe-command.js';
import { generateTypescript } from './generate.js';

const MAX_MODULE_BYTES = 64 * 1024 * 1024;

interface GenerateOptions extends Common {
  lang: string;
  out: string;
  db?: string;
  wasm?: string;
  sdkImport: string;
}

async function schemaFrom(opts: GenerateOptions): Promise<ModuleSchema> {
  if ((opts.db === undefined) === (opts.wasm === undefined))
    throw new UsageError('give exactly one of --db <name> and --wasm <file>');
  if (opts.db !== undefined) return fetchSchema(opts, opts.db);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(opts.wasm!));
  } catch (err) {
    throw new CliError(`cannot read ${opts.wasm}: ${(err as Error).message}`);
  }
  try {
    return validateModule(bytes, MAX_MODULE_BYTES).schema;
  } catch (err) {
    if (err instanceof WasmbaseError) throw new CliError(`${opts.wasm}: ${err.message}`);
    throw err;
  }
}

export function generateCommand(): Command {
  const cmd = withCommon(new Command('generate'))
    .description('emit typed client bindings for the official spacetimedb SDK 2.x')
    .requiredOption('--lang <lang>', 'only "typescript"')
    .requiredOption('--out <dir>', 'output folder (written over)')
    .option('--db <name>', 'read the schema from this database on the server')
    .option('--wasm <file>', 'read the schema from a built module')
    .option('--sdk-import <specifier>', 'where the SDK is imported from', 'spacetimedb')
    .action(async (opts: GenerateOptions) => {
      if (opts.lang !== 'typescript')
        throw new UsageError(`--lang must be "typescript", got "${opts.lang}"`);
      const files = generateTypescript(await schemaFrom(opts), opts.sdkImport);
      mkdirSync(opts.out, { recursive: true });
      for (const [name, text] of files) writeFileSync(path.join(opts.out, name), text);
      say(`wrote ${files.size} files to ${opts.out}`);
    });
  return withExamples(
    cmd,
    'wasmbase generate --lang typescript --out src/module_bindings --db quickstart',
    'wasmbase generate --lang typescript --out bindings --wasm build/my-app.wasm',
  );
}
