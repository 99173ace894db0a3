/**
 * @module
 * What `wasmbase subscribe` prints, kept apart from the connection so it can be tested alone.
 * Rows arrive as the SATS-JSON texts of the v1 JSON protocol (objects by column name, big
 * integers exact). For people they become cells: an identity or connection id its hex, a
 * timestamp ISO 8601, an option its value or nothing; the initial rows are one aligned table per
 * table, each later change one line, `+ <table>: {row}` or `- <table>: {row}` (deletes of a
 * transaction before its inserts, so an update reads as `-` then `+`). With `--json` every row is
 * one line `{"event":"initial"|"insert"|"delete","table":…,"row":<the server's text>}`, the row
 * text copied unchanged so no precision is lost.
 */
import { parseJsonExact, type JsonValue } from '../../runtime/protocol/index.js';
import { renderTable } from './output.js';

/** The rows of one table in one message: deletes, then inserts (JSON texts). */
export interface TableRows {
  readonly table: string;
  readonly deletes: readonly string[];
  readonly inserts: readonly string[];
}

type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

const SPECIAL: Readonly<Record<string, (v: JsonValue) => Cell>> = {
  __identity__: v => (typeof v === 'string' ? v : cell(v)),
  __connection_id__: v => (typeof v === 'string' ? v : cell(v)),
  __timestamp_micros_since_unix_epoch__: v => isoOf(v) ?? cell(v),
  __time_duration_micros__: v => `${String(v)}µs`,
};

/** A timestamp in microseconds as ISO 8601 with microseconds, if it is one. */
function isoOf(v: JsonValue): string | undefined {
  if (typeof v !== 'number' && typeof v !== 'bigint') return undefined;
  const micros = BigInt(v);
  const ms = micros / 1000n;
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return undefined;
  const frac = String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0');
  return date.toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** A SATS-JSON value as a person reads it. */
export function cell(v: JsonValue): Cell {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cell);
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const key = keys[0]!;
    const inner = v[key]!;
    const special = SPECIAL[key];
    if (special !== undefined) return special(inner);
    if (key === 'some') return cell(inner);
    if (key === 'none') return null;
  }
  const out: { [key: string]: Cell } = {};
  for (const k of keys) out[k] = cell(v[k]!);
  return out;
}

function parseRow(text: string): { [key: string]: JsonValue } {
  const v = parseJsonExact(text, 'row');
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof v === 'bigint')
    return { value: v };
  return v;
}

/** One row as a single line of JSON with readable cells. */
export function rowLine(text: string): string {
  return JSON.stringify(cell(parseRow(text)));
}

/** The initial rows of one table as an aligned table (columns in the rows' field order). */
export function initialTable(table: string, rows: readonly string[]): string {
  const n = rows.length;
  const count = `(${n} row${n === 1 ? '' : 's'})\n`;
  if (n === 0) return `${table}\n${count}`;
  const parsed = rows.map(parseRow);
  const headers = Object.keys(parsed[0]!);
  const body = parsed.map(r =>
    headers.map(h => {
      const c = cell(r[h] ?? null);
      return c === null ? '' : c;
    }),
  );
  return `${table}\n${renderTable(headers, body)}${count}`;
}

/** A transaction's changes, one line per row. */
export function diffLines(tables: readonly TableRows[]): string {
  let out = '';
  for (const t of tables) for (const r of t.deletes) out += `- ${t.table}: ${rowLine(r)}\n`;
  for (const t of tables) for (const r of t.inserts) out += `+ ${t.table}: ${rowLine(r)}\n`;
  return out;
}

/** `--json`: one line per row, the row text as the server sent it. */
export function jsonLines(event: 'initial' | 'change', tables: readonly TableRows[]): string {
  const line = (kind: string, table: string, row: string) =>
    `{"event":"${kind}","table":${JSON.stringify(table)},"row":${row}}\n`;
  let out = '';
  for (const t of tables) for (const r of t.deletes) out += line('delete', t.table, r);
  for (const t of tables)
    for (const r of t.inserts) out += line(event === 'initial' ? 'initial' : 'insert', t.table, r);
  return out;
}
