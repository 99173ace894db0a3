/**
 * @module
 * Client commands of the `wasmbase` CLI that use a database: `publish`, `call`, `sql`, `logs`.
 * Each takes `--server` and `--token` (see client.ts). Data goes to stdout, messages to stderr.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  CliError,
  dbPath,
  expectOk,
  request,
  say,
  storedToken,
  tokenOrNew,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';
import { renderTable } from './output.js';
import { findProject, buildProject } from './project.js';

export { CliError, DEFAULT_SERVER } from './client.js';

/** Reducer arguments from the command line: each is JSON, or else taken as a string. */
export function parseCallArgs(args: readonly string[]): unknown[] {
  return args.map(a => {
    try {
      return JSON.parse(a) as unknown;
    } catch {
      return a;
    }
  });
}

function readModule(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The database name and module bytes: from the arguments, else from the project here. */
async function publishTarget(
  name: string | undefined,
  file: string | undefined,
): Promise<{ name: string; bytes: Uint8Array }> {
  if (name !== undefined && file !== undefined) return { name, bytes: readModule(file) };
  const project = findProject(process.cwd());
  if (project === undefined)
    throw new UsageError(
      'publish needs <name> <file.wasm>, or run it in a project made by "wasmbase init"',
    );
  const wasm = await buildProject(project, say);
  return { name: name ?? project.database, bytes: readModule(wasm) };
}

function publishCommand(): Command {
  const cmd = withCommon(new Command('publish'))
    .description('build (in a project) and publish a module, creating or updating the database')
    .argument('[name]', 'database name or identity (default: the project\'s "database")')
    .argument('[file]', 'the module .wasm (default: build the project here)')
    .option('--clear', 'wipe the existing data and rerun init', false)
    .option('--json', 'print the server answer as JSON', false)
    .action(async (name: string | undefined, file: string | undefined, opts) => {
      const o = opts as Common & { clear: boolean; json: boolean };
      const target = await publishTarget(name, file);
      const token = await tokenOrNew(o);
      const res = await expectOk(
        await request(o, 'POST', dbPath(target.name, o.clear ? '?clear=true' : ''), {
          token,
          body: target.bytes,
          contentType: 'application/wasm',
        }),
      );
      const body = (await res.json()) as { Success: { database_identity: string; op: string } };
      const what =
        o.clear && body.Success.op === 'updated' ? 'cleared and updated' : body.Success.op;
      say(`${what} database "${target.name}" (${body.Success.database_identity})`);
      if (o.json) process.stdout.write(JSON.stringify(body) + '\n');
    });
  return withExamples(
    cmd,
    'wasmbase publish                       # in a project: build, then publish',
    'wasmbase publish bank modules/bank/build/bank.wasm --clear',
  );
}

function callCommand(): Command {
  const cmd = withCommon(new Command('call'))
    .description('call a reducer; each argument is JSON (strings may be given bare)')
    .argument('<database>', 'database name or identity')
    .argument('<reducer>', 'reducer name')
    .argument('[args...]', 'arguments, e.g. 1 2 "\\"text\\"" or Alice')
    .action(async (database: string, reducer: string, args: string[], opts: Common) => {
      const body = JSON.stringify(parseCallArgs(args));
      await expectOk(
        await request(opts, 'POST', dbPath(database, `/call/${encodeURIComponent(reducer)}`), {
          token: storedToken(opts),
          body,
          contentType: 'application/json',
        }),
      );
    });
  return withExamples(
    cmd,
    'wasmbase call quickstart add Alice',
    'wasmbase call bank transfer 1 2 50',
  );
}

interface SqlResult {
  schema: { elements: { name: { some?: string } | null; algebraic_type: object }[] };
  rows: unknown[][];
  stats?: { rows_inserted: number; rows_deleted: number; rows_updated: number };
}

/** One statement's result as an aligned table, or a count line for DML without rows. */
export function formatSqlResult(result: SqlResult): string {
  const headers = result.schema.elements.map((e, i) => e.name?.some ?? `column_${i}`);
  if (headers.length === 0) {
    const s = result.stats;
    return s === undefined
      ? 'OK\n'
      : `OK: ${s.rows_inserted} inserted, ${s.rows_updated} updated, ${s.rows_deleted} deleted\n`;
  }
  const n = result.rows.length;
  return renderTable(headers, result.rows) + `(${n} row${n === 1 ? '' : 's'})\n`;
}

function sqlCommand(): Command {
  const cmd = withCommon(new Command('sql'))
    .description('run SQL; prints an aligned table per statement (--json: one JSON line each)')
    .argument('<database>', 'database name or identity')
    .argument('<query>', 'SQL text, statements separated by ;')
    .option('--json', 'one JSON result per statement, as the server sends it', false)
    .action(async (database: string, query: string, opts: Common & { json: boolean }) => {
      const res = await expectOk(
        await request(opts, 'POST', dbPath(database, '/sql'), {
          token: storedToken(opts),
          body: query,
          contentType: 'text/plain',
        }),
      );
      const results = (await res.json()) as SqlResult[];
      for (const [i, result] of results.entries())
        process.stdout.write(
          opts.json ? JSON.stringify(result) + '\n' : (i > 0 ? '\n' : '') + formatSqlResult(result),
        );
    });
  return withExamples(
    cmd,
    "wasmbase sql quickstart 'SELECT * FROM person'",
    "wasmbase sql quickstart 'SELECT name FROM person' --json",
  );
}

async function streamLines(res: Response, abort: AbortSignal): Promise<void> {
  const reader = res.body?.getReader();
  if (reader === undefined) return;
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (err) {
      if (abort.aborted) break;
      throw err;
    }
    if (chunk.done) break;
    pending += decoder.decode(chunk.value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    // The stream opens with an empty line when there is no tail yet.
    for (const line of lines) if (line !== '') process.stdout.write(line + '\n');
  }
  if (pending !== '') process.stdout.write(pending + '\n');
}

/** Prints a database's log; with `follow`, until interrupted or the database is deleted. */
export async function printLogs(
  opts: Common,
  database: string,
  numLines: string,
  follow: boolean,
): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const query = `num_lines=${numLines}${follow ? '&follow=true' : ''}`;
    const res = await expectOk(
      await request(opts, 'GET', dbPath(database, `/logs?${query}`), {
        token: storedToken(opts),
        signal: abort.signal,
      }),
    );
    await streamLines(res, abort.signal);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function logsCommand(): Command {
  const cmd = withCommon(new Command('logs'))
    .description("print a database's module log (owner only)")
    .argument('<database>', 'database name or identity')
    .option('-n, --num-lines <n>', 'how many of the latest lines', '20')
    .option(
      '-f, --follow',
      'keep printing new lines until interrupted or the database is deleted',
      false,
    )
    .action(async (database: string, opts: Common & { numLines: string; follow: boolean }) => {
      if (!/^\d{1,9}$/.test(opts.numLines))
        throw new UsageError(`--num-lines must be a non-negative integer, got "${opts.numLines}"`);
      await printLogs(opts, database, opts.numLines, opts.follow);
    });
  return withExamples(cmd, 'wasmbase logs quickstart -n 50', 'wasmbase logs quickstart -f');
}

/** The client commands of this file, ready to add to the program. */
export function clientCommands(): Command[] {
  return [publishCommand(), callCommand(), sqlCommand(), logsCommand()];
}
