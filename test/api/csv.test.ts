/** The CSV reader and writer of table export/import: quoting, multi-line fields, line numbers. */
import { describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from '../../runtime/api/index.js';

describe('csv', () => {
  it('quotes only when it must, and reads back what it wrote', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\nlines', '', 'cr\r\nlf'];
    const line = csvLine(fields);
    expect(line).toBe('plain,"a,b","say ""hi""","two\nlines",,"cr\r\nlf"');
    expect(parseCsv(line + '\n')).toEqual([{ line: 1, fields }]);
  });

  it('numbers records by the line they start on, across CRLF, blank lines and quoted newlines', () => {
    const text = 'h1,h2\r\n"a\nb",1\r\n\r\nc,2\nlast,"x"';
    expect(parseCsv(text, 10)).toEqual([
      { line: 10, fields: ['h1', 'h2'] },
      { line: 11, fields: ['a\nb', '1'] },
      { line: 14, fields: ['c', '2'] },
      { line: 15, fields: ['last', 'x'] },
    ]);
  });

  it('refuses malformed records with IMPORT_INVALID and the line', () => {
    const cases: [string, number][] = [
      ['ok\n"open', 2],
      ['a"b', 1],
      ['x\n"q"tail', 2],
    ];
    for (const [text, line] of cases)
      expect(() => parseCsv(text)).toThrow(
        expect.objectContaining({ code: 'IMPORT_INVALID', details: { line } }),
      );
  });
});
