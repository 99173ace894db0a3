/**
 * @module
 * `wasmbase export` and `wasmbase import`: a table as JSON Lines or CSV, over the server's
 * `/export/:table` and `/import/:table` routes. Import sends the file in parts of `--chunk-rows`
 * rows (each part is committed by the server in bounded transactions), prints progress after
 * each part, and stops at the first error, which names the file's line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { csvLine, parseCsv } from '../../runtime/api/index.js';
import {
  CliError,
  dbPath,
  expectOk,
  request,
  say,
  storedToken,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';

type Format = 'jsonl' | 'csv';

function formatOf(given: string | undefined, file: string | undefined): Format {
  const format = given ?? (file?.toLowerCase().endsWith('.csv') === true ? 'csv' : 'jsonl');
  if (format !== 'jsonl' && format !== 'csv')
    throw new UsageError(`--format must be jsonl or csv, got "${format}"`);
  return format;
}

function exportCommand(): Command {
  const cmd = withCommon(new Command('export'))
    .description('write a table as JSON Lines or CSV (to --out, else stdout)')
    .argument('<database>', 'database name or identity')
    .argument('<table>', 'table name')
    .option('--format <jsonl|csv>', 'output format (default: from --out, else jsonl)')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (database: string, table: string, opts: Common & ExportOpts) => {
      const format = formatOf(opts.format, opts.out);
      const path = dbPath(database, `/export/${encodeURIComponent(table)}?format=${format}`);
      const res = await expectOk(await request(opts, 'GET', path, { token: storedToken(opts) }));
      const text = await res.text();
      if (opts.out === undefined) process.stdout.write(text);
      else {
        writeFileSync(opts.out, text);
        say(`exported ${table} to ${opts.out} (${Buffer.byteLength(text)} bytes)`);
      }
    });
  return withExamples(
    cmd,
    'wasmbase export quickstart person --out person.csv',
    'wasmbase export quickstart person > person.jsonl',
  );
}

interface ExportOpts {
  format?: string;
  out?: string;
}

/** One part of the file: its text and the line number of its first line. */
interface Part {
  readonly text: string;
  readonly firstLine: number;
  readonly rows: number;
}

function jsonlParts(text: string, chunkRows: number): Part[] {
  const lines = text.split('\n');
  const parts: Part[] = [];
  for (let i = 0; i < lines.length; i += chunkRows) {
    const slice = lines.slice(i, i + chunkRows);
    const rows = slice.filter(l => l.trim() !== '').length;
    if (rows > 0) parts.push({ text: slice.join('\n'), firstLine: i + 1, rows });
  }
  return parts;
}

function csvParts(text: string, chunkRows: number): Part[] {
  const [header, ...records] = parseCsv(text);
  if (header === undefined) return [];
  const parts: Part[] = [];
  for (let i = 0; i < records.length; i += chunkRows) {
    const slice = records.slice(i, i + chunkRows);
    const first = i === 0 ? header.line : slice[0]!.line - 1;
    const body = [header.fields, ...slice.map(r => r.fields)].map(f => csvLine(f) + '\n');
    parts.push({ text: body.join(''), firstLine: first, rows: slice.length });
  }
  return parts;
}

interface ImportOpts {
  format?: string;
  chunkRows: string;
}

async function runImport(database: string, table: string, file: string, opts: Common & ImportOpts) {
  const format = formatOf(opts.format, file);
  const chunkRows = Number(opts.chunkRows);
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1)
    throw new UsageError(`--chunk-rows must be a positive integer, got "${opts.chunkRows}"`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parts = format === 'csv' ? csvParts(text, chunkRows) : jsonlParts(text, chunkRows);
  const total = parts.reduce((n, p) => n + p.rows, 0);
  let done = 0;
  for (const part of parts) {
    const query = `?format=${format}&first_line=${part.firstLine}`;
    const path = dbPath(database, `/import/${encodeURIComponent(table)}${query}`);
    const res = await request(opts, 'POST', path, {
      token: storedToken(opts),
      body: part.text,
      contentType: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    });
    if (!res.ok && done > 0) say(`${done} rows were imported before the error`);
    await expectOk(res);
    done += part.rows;
    say(`imported ${done}/${total} rows into ${table}`);
  }
  if (total === 0) say(`${file} holds no rows`);
}

function importCommand(): Command {
  const cmd = withCommon(new Command('import'))
    .description('insert the rows of a JSON Lines or CSV file into a table (owner only)')
    .argument('<database>', 'database name or identity')
    .argument('<table>', 'table name')
    .argument('<file>', 'the file (.csv is CSV, anything else JSON Lines unless --format)')
    .option('--format <jsonl|csv>', 'input format')
    .option('--chunk-rows <n>', 'rows sent per request', '10000')
    .action(runImport);
  return withExamples(
    cmd,
    'wasmbase import quickstart person person.csv',
    'wasmbase import quickstart person rows.jsonl --chunk-rows 5000',
  );
}

/** The transfer commands, registered by `main.ts`. */
export function transferCommands(): Command[] {
  return [exportCommand(), importCommand()];
}
