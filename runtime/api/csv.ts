/**
 * @module
 * RFC 4180 CSV, just enough for table export and import: records are separated by CRLF or LF,
 * a field is quoted when it holds a comma, a quote, CR or LF (quotes doubled inside), and a
 * quoted field may span lines. Each parsed record carries the line it starts on, so import
 * errors name the line a user sees in an editor.
 */
import { WasmbaseError } from '../protocol/index.js';

/** One CSV record and the 1-based line of the text it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Quotes a field when it must be. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

function csvError(line: number, message: string): WasmbaseError {
  return new WasmbaseError('IMPORT_INVALID', `line ${line}: ${message}`, { line });
}

/** Reads one quoted field starting after its opening quote; returns the field and next index. */
function quoted(text: string, start: number, line: number): [string, number, number] {
  let out = '';
  let i = start;
  let lines = 0;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw csvError(line, 'a quoted field is not closed');
    const chunk = text.slice(i, q);
    lines += chunk.split('\n').length - 1;
    out += chunk;
    if (text[q + 1] === '"') {
      out += '"';
      i = q + 2;
      continue;
    }
    return [out, q + 1, lines];
  }
}

/**
 * Splits CSV text into records; `firstLine` is the line number of the text's first line. Blank
 * lines are skipped. Throws IMPORT_INVALID with the line number on a malformed record.
 */
export function parseCsv(text: string, firstLine = 1): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = firstLine;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const [field, next, lines] = quoted(text, i + 1, start);
        fields.push(field);
        line += lines;
        i = next;
      } else {
        let j = i;
        while (j < text.length && !',\r\n'.includes(text[j]!)) j++;
        const field = text.slice(i, j);
        if (field.includes('"')) throw csvError(start, 'a quote inside an unquoted field');
        fields.push(field);
        i = j;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (i < text.length && text[i] !== '\r' && text[i] !== '\n')
        throw csvError(start, 'text after a closing quote');
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
