/**
 * @module
 * Table export and import, shared by HTTP and the CLI (which talks to HTTP).
 *
 * Export reads one consistent snapshot of a table and writes it as JSON Lines (one object per
 * row, keyed by column name) or CSV (a header of column names, then one record per row); its
 * size is capped. Import parses and validates the whole text first (a bad line fails the request
 * before anything is written, with its line number), then inserts the rows through the normal
 * commit path (`DatabaseHandle.transact`) in transactions of at most `rowsPerTransaction` rows,
 * so subscribers see each one like a reducer's transaction. A transaction that fails (a unique
 * violation) names the line and how many rows the earlier transactions already committed.
 */
import type { DatabaseHandle } from '../host/index.js';
import { WasmbaseError, type Identity, type TableSchema } from '../protocol/index.js';
import { csvLine, parseCsv } from './csv.js';
import {
  csvHeader,
  rowFromCells,
  rowFromJsonLine,
  rowToCells,
  rowToObject,
  type TransferFormat,
} from './table-rows-text.js';

export interface ExportOptions {
  /** Whether the caller owns the database (private tables export only to the owner). */
  readonly isOwner: boolean;
  /** Largest export text, in bytes (LIMIT_EXCEEDED beyond). */
  readonly maxBytes: number;
}

export interface ImportOptions {
  readonly sender: Identity;
  readonly rowsPerTransaction: number;
  /** Most rows one import request may hold. */
  readonly maxRows: number;
  /** The line number of the text's first line (the CLI sends a file in chunks). */
  readonly firstLine?: number;
}

export interface ImportResult {
  readonly rows: number;
  readonly transactions: number;
}

function tableOf(db: DatabaseHandle, name: string, isOwner: boolean): TableSchema {
  const table = db.schema.tables.find(t => t.name === name);
  if (table === undefined || (!table.isPublic && !isOwner))
    throw new WasmbaseError('TABLE_NOT_FOUND', `no table "${name.slice(0, 80)}" in this database`, {
      table: name.slice(0, 80),
    });
  return table;
}

/** The whole table as JSON Lines or CSV text, from one snapshot. */
export function exportTable(
  db: DatabaseHandle,
  tableName: string,
  format: TransferFormat,
  options: ExportOptions,
): string {
  const table = tableOf(db, tableName, options.isOwner);
  const rows = db.read(tx => tx.scan(table.id));
  const lines: string[] =
    format === 'csv' ? [csvLine(table.columns.map(c => c.name))] : ([] as string[]);
  let bytes = 0;
  for (const row of rows) {
    const line =
      format === 'csv' ? csvLine(rowToCells(table, row)) : JSON.stringify(rowToObject(table, row));
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > options.maxBytes)
      throw new WasmbaseError(
        'LIMIT_EXCEEDED',
        `the export of ${table.name} is larger than ${options.maxBytes} bytes ` +
          '(--max-export-bytes)',
        { limit: options.maxBytes },
      );
    lines.push(line);
  }
  return lines.map(l => l + '\n').join('');
}

interface ParsedRow {
  readonly line: number;
  readonly row: Uint8Array;
}

function parseRows(table: TableSchema, format: TransferFormat, text: string, first: number) {
  const rows: ParsedRow[] = [];
  if (format === 'csv') {
    const [header, ...records] = parseCsv(text, first);
    if (header === undefined) return rows;
    const columns = csvHeader(table, header.fields, header.line);
    for (const r of records)
      rows.push({ line: r.line, row: rowFromCells(table, columns, r.fields, r.line) });
    return rows;
  }
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    rows.push({ line: first + i, row: rowFromJsonLine(table, line, first + i) });
  });
  return rows;
}

/** Validates every row of `text`, then inserts them in bounded transactions. */
export async function importTable(
  db: DatabaseHandle,
  tableName: string,
  format: TransferFormat,
  text: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const table = tableOf(db, tableName, true);
  const rows = parseRows(table, format, text, options.firstLine ?? 1);
  if (rows.length > options.maxRows)
    throw new WasmbaseError(
      'LIMIT_EXCEEDED',
      `the import holds ${rows.length} rows; one request may hold ${options.maxRows} ` +
        '(--max-import-rows); send the file in parts',
      { limit: options.maxRows },
    );
  let done = 0;
  let transactions = 0;
  while (done < rows.length) {
    const chunk = rows.slice(done, done + options.rowsPerTransaction);
    let current = chunk[0]!.line;
    try {
      await db.transact(`import:${table.name}`, options.sender, tx => {
        for (const { line, row } of chunk) {
          current = line;
          tx.insert(table.id, row);
        }
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new WasmbaseError(
        'IMPORT_INVALID',
        `line ${current}: ${message} (${done} earlier rows were imported)`,
        { line: current, imported: done, cause: err instanceof WasmbaseError ? err.code : '' },
      );
    }
    done += chunk.length;
    transactions++;
  }
  return { rows: done, transactions };
}
