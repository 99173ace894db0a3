/**
 * The nesting cap for JSON from callers (reducer arguments, request bodies). `JSON.parse`
 * accepts any depth, but walking or printing a value nested thousands deep overflows the stack,
 * so text nested deeper than `MAX_ARGUMENT_JSON_DEPTH` is refused before it is parsed.
 */
import { WasmbaseError } from './error.js';

export const MAX_ARGUMENT_JSON_DEPTH = 64;

/** Throws INVALID_JSON (400) when `text` nests arrays/objects deeper than `max`. */
export function checkJsonDepth(text: string, what: string, max = MAX_ARGUMENT_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max)
        throw new WasmbaseError(
          'INVALID_JSON',
          `${what} nests arrays or objects deeper than ${max} levels`,
          { limit: max },
        );
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}
