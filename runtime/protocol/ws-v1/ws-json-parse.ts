/**
 * @module
 * A strict JSON parser that keeps big integers exact. SATS-JSON writes u64/i64/u128 values as
 * bare numbers (serde does), which `JSON.parse` would round; here an integer literal outside the
 * safe range becomes a `bigint`, every other number a `number`. Objects have a null prototype
 * (a `"__proto__"` key is just a key). Errors are `PROTOCOL_DECODE` with the character offset.
 */
import { WasmbaseError } from '../error.js';

/** Deepest array/object nesting accepted. */
export const MAX_JSON_DEPTH = 64;

export type JsonValue =
  null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const INTEGER = /^-?(0|[1-9]\d*)$/;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Parser {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(message: string, at = this.#pos): never {
    throw new WasmbaseError('PROTOCOL_DECODE', `${this.what}: ${message} at character ${at}`, {
      offset: at,
    });
  }

  #skipSpace(): void {
    const t = this.text;
    let p = this.#pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.#pos = p;
  }

  parseDocument(): JsonValue {
    const value = this.#value(0);
    this.#skipSpace();
    if (this.#pos !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  #value(depth: number): JsonValue {
    this.#skipSpace();
    const t = this.text;
    const c = t[this.#pos];
    switch (c) {
      case '{':
        return this.#object(depth + 1);
      case '[':
        return this.#array(depth + 1);
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.#number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  #literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.#pos)) this.fail('invalid literal');
    this.#pos += word.length;
    return value;
  }

  #number(): number | bigint {
    NUMBER.lastIndex = this.#pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return this.fail('invalid number');
    const lit = m[0];
    this.#pos += lit.length;
    if (INTEGER.test(lit)) {
      const n = Number(lit);
      return Number.isSafeInteger(n) ? n : BigInt(lit);
    }
    return Number(lit);
  }

  #string(): string {
    const t = this.text;
    const start = this.#pos + 1;
    let p = start;
    let out = '';
    let chunk = start;
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string', p);
      if (c === 0x5c) {
        out += t.slice(chunk, p);
        const e = t[p + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = t.slice(p + 2, p + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', p);
            out += String.fromCharCode(parseInt(hex, 16));
            p += 4;
            break;
          }
          default:
            this.fail('invalid escape', p);
        }
        p += 2;
        chunk = p;
        continue;
      }
      p++;
    }
    this.#pos = p + 1;
    return out + t.slice(chunk, p);
  }

  #array(depth: number): JsonValue[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.#pos++;
    const out: JsonValue[] = [];
    this.#skipSpace();
    if (this.text[this.#pos] === ']') {
      this.#pos++;
      return out;
    }
    for (;;) {
      out.push(this.#value(depth));
      this.#skipSpace();
      const c = this.text[this.#pos];
      this.#pos++;
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'", this.#pos - 1);
    }
  }

  #object(depth: number): { [key: string]: JsonValue } {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.#pos++;
    const out = Object.create(null) as { [key: string]: JsonValue };
    this.#skipSpace();
    if (this.text[this.#pos] === '}') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipSpace();
      if (this.text[this.#pos] !== '"') this.fail('expected a string key');
      const key = this.#string();
      this.#skipSpace();
      if (this.text[this.#pos] !== ':') this.fail("expected ':'");
      this.#pos++;
      out[key] = this.#value(depth);
      this.#skipSpace();
      const c = this.text[this.#pos];
      this.#pos++;
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'", this.#pos - 1);
    }
  }
}

/** Parses one JSON document; big integers come back as `bigint`. */
export function parseJsonExact(text: string, what = 'JSON'): JsonValue {
  return new Parser(text, what).parseDocument();
}
