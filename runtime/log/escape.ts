/**
 * Escaping of caller-controlled text before it reaches a log line. A reducer's message, a
 * reducer name or a caller's input could otherwise carry newlines (a forged `ERROR` line),
 * ANSI escape sequences (a rewritten terminal) or bidirectional overrides (text that reads
 * differently than it is). Every such character becomes a visible escape: `\n`, `\r`, `\x1b`,
 * `\u2028`. Tabs stay, as they cannot start a line; backslashes stay, so plain text is unchanged.
 */

/** C0 controls except tab, DEL, C1 controls, line/paragraph separators, bidi controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character replaced by a visible escape (a single log line). */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL, escapeOne);
}
