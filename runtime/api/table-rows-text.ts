/**
 * @module
 * One table row as text, both ways: a JSON object keyed by column name (JSON Lines) or one CSV
 * cell per column. Values use SATS-JSON (`valueToJson` / `valueFromJson`), so every column type
 * round-trips. In CSV, strings, byte arrays (hex), identities (0x hex) and scalars whose JSON form
 * is a string (big integers, NaN) are written bare; every other value (options, arrays,
 * products, sums) is its JSON text. Integers are read back exactly (`parseJsonExact`).
 */
import {
  decodeFromBytes,
  encodeToBytes,
  parseJsonExact,
  specialKind,
  valueFromJson,
  valueToJson,
  WasmbaseError,
  type AlgebraicType,
  type AlgebraicValue,
  type JsonValue,
  type TableSchema,
} from '../protocol/index.js';

/** Transfer formats of table export and import. */
export const TRANSFER_FORMATS = ['jsonl', 'csv'] as const;
export type TransferFormat = (typeof TRANSFER_FORMATS)[number];

export function parseTransferFormat(raw: string | null): TransferFormat {
  const format = raw === null || raw === '' ? 'jsonl' : raw;
  if ((TRANSFER_FORMATS as readonly string[]).includes(format)) return format as TransferFormat;
  throw new WasmbaseError(
    'INVALID_ARGUMENT',
    `format must be ${TRANSFER_FORMATS.join(' or ')}, got "${format.slice(0, 20)}"`,
    { parameter: 'format' },
  );
}

function rowTypeOf(table: TableSchema): AlgebraicType {
  return { tag: 'Product', elements: table.rowType.elements };
}

function lineError(line: number, err: unknown): WasmbaseError {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof WasmbaseError ? err.code : 'INTERNAL';
  return new WasmbaseError('IMPORT_INVALID', `line ${line}: ${message}`, { line, cause });
}

/** `parseJsonExact`, with integers beyond the safe range as decimal strings (SATS-JSON's form). */
function parseExact(text: string, what: string): unknown {
  const widen = (v: JsonValue): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(widen);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) out[k] = widen(x);
      return out;
    }
    return v;
  };
  return widen(parseJsonExact(text, what));
}

/** The row as a JSON object keyed by column name. */
export function rowToObject(table: TableSchema, row: Uint8Array): Record<string, unknown> {
  const values = decodeFromBytes(rowTypeOf(table), row) as readonly AlgebraicValue[];
  const out: Record<string, unknown> = {};
  table.columns.forEach((c, i) => (out[c.name] = valueToJson(c.type, values[i]!)));
  return out;
}

/** Parses one JSON Lines line into the row's BSATN; IMPORT_INVALID names the line. */
export function rowFromJsonLine(table: TableSchema, text: string, line: number): Uint8Array {
  try {
    const json = parseExact(text, 'the row');
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new WasmbaseError('INVALID_ARGUMENT', 'a row must be a JSON object by column name');
    return encodeToBytes(rowTypeOf(table), valueFromJson(rowTypeOf(table), json, table.name));
  } catch (err) {
    throw lineError(line, err);
  }
}

/** True for columns whose CSV cell is always the bare text of their JSON string form. */
function bareCell(type: AlgebraicType): boolean {
  if (type.tag === 'String') return true;
  if (type.tag === 'Array') return type.elem.tag === 'U8';
  const special = specialKind(type);
  return special === 'Identity' || special === 'ConnectionId';
}

function structured(type: AlgebraicType): boolean {
  const special = specialKind(type);
  if (special !== undefined) return special === 'Option';
  return type.tag === 'Array' || type.tag === 'Product' || type.tag === 'Sum';
}

/** The CSV cells of a row, in column order. */
export function rowToCells(table: TableSchema, row: Uint8Array): string[] {
  const values = decodeFromBytes(rowTypeOf(table), row) as readonly AlgebraicValue[];
  return table.columns.map((c, i) => {
    const json = valueToJson(c.type, values[i]!);
    if (bareCell(c.type) || (typeof json === 'string' && !structured(c.type))) return String(json);
    return JSON.stringify(json);
  });
}

function cellToJson(type: AlgebraicType, cell: string): unknown {
  if (bareCell(type)) return cell;
  try {
    return parseExact(cell, 'the cell');
  } catch {
    return cell;
  }
}

/** Parses the CSV cells of one row (ordered by `columns`, the header) into its BSATN. */
export function rowFromCells(
  table: TableSchema,
  columns: readonly number[],
  cells: readonly string[],
  line: number,
): Uint8Array {
  try {
    if (cells.length !== columns.length)
      throw new WasmbaseError(
        'INVALID_ARGUMENT',
        `expected ${columns.length} fields, got ${cells.length}`,
      );
    const values: AlgebraicValue[] = new Array<AlgebraicValue>(table.columns.length);
    columns.forEach((col, i) => {
      const c = table.columns[col]!;
      values[col] = valueFromJson(c.type, cellToJson(c.type, cells[i]!), c.name);
    });
    return encodeToBytes(rowTypeOf(table), values);
  } catch (err) {
    throw lineError(line, err);
  }
}

/** Maps a CSV header to column positions; every column must appear exactly once. */
export function csvHeader(table: TableSchema, header: readonly string[], line: number): number[] {
  const names = table.columns.map(c => c.name);
  const columns = header.map(h => names.indexOf(h));
  const unknown = header.filter((_, i) => columns[i]! < 0);
  const missing = names.filter(n => !header.includes(n));
  if (unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length)
    throw new WasmbaseError(
      'IMPORT_INVALID',
      `line ${line}: the header must name each column of ${table.name} once ` +
        `(${names.join(',')})` +
        (unknown.length > 0 ? `; unknown: ${unknown.join(',').slice(0, 200)}` : '') +
        (missing.length > 0 ? `; missing: ${missing.join(',')}` : ''),
      { line },
    );
  return columns;
}
