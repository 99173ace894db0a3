/**
 * @module
 * `wasmbase describe <db> [table|reducer]`: a database's tables (columns, primary key, indexes,
 * visibility) and reducers (parameters, lifecycle), read from `GET /schema?version=9`.
 */
import { Command } from 'commander';
import {
  formatType,
  moduleDefFromJson,
  resolveModuleSchema,
  WasmbaseError,
  type ModuleSchema,
} from '../../runtime/protocol/index.js';
import {
  CliError,
  dbPath,
  expectOk,
  request,
  storedToken,
  withCommon,
  withExamples,
  type Common,
} from './client.js';
import { paint, renderTable } from './output.js';

export interface TableSummary {
  readonly name: string;
  readonly public: boolean;
  readonly primaryKey: string | null;
  readonly columns: { name: string; type: string }[];
  readonly indexes: { name: string; columns: string[]; unique: boolean; algorithm: string }[];
}

export interface ReducerSummary {
  readonly name: string;
  readonly lifecycle: string | null;
  readonly params: { name: string; type: string }[];
}

export interface Summary {
  readonly tables: TableSummary[];
  readonly reducers: ReducerSummary[];
}

/** The parts of a schema a person reads, as plain JSON. */
export function summarize(schema: ModuleSchema): Summary {
  return {
    tables: schema.tables.map(t => ({
      name: t.name,
      public: t.isPublic,
      primaryKey: t.primaryKey === undefined ? null : t.columns[t.primaryKey]!.name,
      columns: t.columns.map(c => ({ name: c.name, type: formatType(c.type) })),
      indexes: t.indexes.map(ix => ({
        name: ix.name,
        columns: ix.columns.map(c => t.columns[c]!.name),
        unique: ix.unique,
        algorithm: ix.algorithm,
      })),
    })),
    reducers: schema.reducers.map(r => ({
      name: r.name,
      lifecycle: r.lifecycle ?? null,
      params: r.params.elements.map((p, i) => ({
        name: p.name ?? `arg${i}`,
        type: formatType(p.type),
      })),
    })),
  };
}

/** Fetches and resolves a database's schema. */
export async function fetchSchema(opts: Common, database: string): Promise<ModuleSchema> {
  const res = await expectOk(
    await request(opts, 'GET', dbPath(database, '/schema?version=9'), {
      token: storedToken(opts),
    }),
  );
  try {
    return resolveModuleSchema(moduleDefFromJson(await res.json()));
  } catch (err) {
    if (err instanceof WasmbaseError)
      throw new CliError(`the server sent a schema this CLI cannot read: ${err.message}`);
    throw err;
  }
}

function tableText(t: TableSummary): string {
  const head = `${paint('bold', 'table ' + t.name)} (${t.public ? 'public' : 'private'})\n`;
  const cols = renderTable(
    ['column', 'type', 'key'],
    t.columns.map(c => [c.name, c.type, c.name === t.primaryKey ? 'primary key' : '']),
  );
  const idx = t.indexes.map(
    i => `  index ${i.name} on (${i.columns.join(', ')})${i.unique ? ' unique' : ''}\n`,
  );
  return head + cols + idx.join('');
}

function reducerText(r: ReducerSummary): string {
  const params = r.params.map(p => `${p.name}: ${p.type}`).join(', ');
  const lifecycle = r.lifecycle ? ` [${r.lifecycle}]` : '';
  return `${paint('bold', 'reducer')} ${r.name}(${params})${lifecycle}\n`;
}

/** The summary (or the one table/reducer named) as text. */
export function describeText(summary: Summary): string {
  const parts = summary.tables.map(tableText);
  if (summary.reducers.length > 0) parts.push(summary.reducers.map(reducerText).join(''));
  return parts.join('\n');
}

export function describeCommand(): Command {
  const cmd = withCommon(new Command('describe'))
    .description("a database's tables, columns, indexes, visibility, reducers and parameters")
    .argument('<database>', 'database name or identity')
    .argument('[entity]', 'only this table or reducer')
    .option('--json', 'as JSON', false)
    .action(async (database: string, entity: string | undefined, opts) => {
      const o = opts as Common & { json: boolean };
      let summary = summarize(await fetchSchema(o, database));
      if (entity !== undefined) {
        summary = {
          tables: summary.tables.filter(t => t.name === entity),
          reducers: summary.reducers.filter(r => r.name === entity),
        };
        if (summary.tables.length + summary.reducers.length === 0)
          throw new CliError(`"${database}" has no table or reducer named "${entity}"`);
      }
      process.stdout.write(o.json ? JSON.stringify(summary) + '\n' : describeText(summary));
    });
  return withExamples(
    cmd,
    'wasmbase describe quickstart',
    'wasmbase describe quickstart person --json',
  );
}
