/**
 * @module
 * The SQL lexer: text → tokens with line/column positions. Identifiers are case-sensitive;
 * keywords are recognised case-insensitively; `"quoted"` identifiers may contain anything.
 */
import { WasmbaseError } from '../protocol/index.js';

export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type TokenKind =
  'ident' | 'quoted' | 'keyword' | 'integer' | 'float' | 'string' | 'hex' | 'symbol' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Keywords upper-cased; identifiers and literals as written (strings unescaped). */
  readonly text: string;
  readonly pos: Position;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'JOIN',
  'INNER',
  'ON',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'LIMIT',
  'OFFSET',
  'COUNT',
  'INSERT',
  'INTO',
  'VALUES',
  'UPDATE',
  'SET',
  'DELETE',
]);

const SYMBOLS = ['<>', '!=', '<=', '>=', '=', '<', '>', '(', ')', ',', ';', '*', '.', '-'];

export function sqlError(message: string, pos: Position): WasmbaseError {
  return new WasmbaseError('SQL_SYNTAX', `${message} at ${pos.line}:${pos.column}`, {
    line: pos.line,
    column: pos.column,
  });
}

/** Splits `text` into tokens; the last token has kind `end`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): Position => ({ offset: at, line, column: at - lineStart + 1 });
  /** Reads a quoted run starting at `i` (a doubled quote stands for one); returns its content. */
  const scanQuoted = (quote: string): string => {
    const start = i;
    let out = '';
    i++;
    for (;;) {
      if (i >= text.length)
        throw sqlError(
          quote === '"' ? 'unterminated quoted identifier' : 'unterminated string literal',
          pos(start),
        );
      if (text[i] === quote) {
        if (text[i + 1] !== quote) break;
        out += quote;
        i += 2;
        continue;
      }
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
      out += text[i++];
    }
    i++;
    return out;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      if ((c === 'X' || c === 'x') && text[i + 1] === "'") {
        const end = text.indexOf("'", i + 2);
        if (end < 0) throw sqlError('unterminated hex literal', pos(start));
        const digits = text.slice(i + 2, end);
        if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length % 2 !== 0)
          throw sqlError(`invalid hex literal X'${digits.slice(0, 20)}'`, pos(start));
        tokens.push({ kind: 'hex', text: digits.toLowerCase(), pos: pos(start) });
        i = end + 1;
        continue;
      }
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      const upper = word.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: 'keyword', text: upper, pos: pos(start) }
          : { kind: 'ident', text: word, pos: pos(start) },
      );
      continue;
    }
    if (c === '"' || c === "'") {
      const quoted = scanQuoted(c);
      if (c === '"' && quoted === '') throw sqlError('empty quoted identifier', pos(start));
      tokens.push({ kind: c === '"' ? 'quoted' : 'string', text: quoted, pos: pos(start) });
      continue;
    }
    if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 2;
      while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) i++;
      const digits = text.slice(start + 2, i);
      if (digits === '') throw sqlError('hex literal without digits', pos(start));
      tokens.push({
        kind: 'hex',
        text: (digits.length % 2 === 1 ? '0' : '') + digits.toLowerCase(),
        pos: pos(start),
      });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      let float = false;
      if (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? '')) {
        float = true;
        i++;
        while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      }
      if ((text[i] === 'e' || text[i] === 'E') && /[-+0-9]/.test(text[i + 1] ?? '')) {
        const expStart = i;
        i++;
        if (text[i] === '+' || text[i] === '-') i++;
        if (!/[0-9]/.test(text[i] ?? '')) throw sqlError('exponent without digits', pos(expStart));
        while (i < text.length && /[0-9]/.test(text[i]!)) i++;
        if (text[expStart + 1] === '-') float = true;
      }
      if (/[A-Za-z_]/.test(text[i] ?? ''))
        throw sqlError(`invalid number "${text.slice(start, i + 1)}"`, pos(start));
      tokens.push({
        kind: float ? 'float' : 'integer',
        text: text.slice(start, i),
        pos: pos(start),
      });
      continue;
    }
    const symbol = SYMBOLS.find(s => text.startsWith(s, i));
    if (symbol === undefined)
      throw sqlError(`unexpected character ${JSON.stringify(c)}`, pos(start));
    tokens.push({ kind: 'symbol', text: symbol, pos: pos(start) });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', pos: pos(i) });
  return tokens;
}
