/**
 * @module
 * Terminal output of the CLI: aligned text tables, and colour only when stderr/stdout is a TTY
 * and neither `NO_COLOR` nor `TERM=dumb` is set.
 */

/** Whether to colour text written to `stream`. */
export function useColour(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], cyan: [36, 39] };

/** `text` in a style, or unchanged when colour is off. */
export function paint(style: keyof typeof CODES, text: string, on = useColour()): string {
  if (!on) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** One cell's text: strings as they are, everything else as compact JSON. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * An aligned table: a header row, a rule, then the rows; columns separated by ` | `.
 * Numbers are right-aligned. Cells are single-line (newlines shown as `\n`).
 */
export function renderTable(headers: readonly string[], rows: readonly unknown[][]): string {
  const text = rows.map(r => headers.map((_, i) => cellText(r[i]).replace(/\n/g, '\\n')));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map(r => r[i]!.length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every(r => typeof r[i] === 'number'),
  );
  const line = (cells: readonly string[], header: boolean) =>
    cells
      .map((c, i) => (numeric[i] && !header ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  const out = [line(headers, true), widths.map(w => '-'.repeat(w)).join('-+-')];
  for (const r of text) out.push(line(r, false));
  return out.join('\n') + '\n';
}
